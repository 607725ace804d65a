// SPDX-License-Identifier: MIT
/* The status snapshot of status.h written as JSON and as the table of `seg status`. */
#include "gateway/status.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"

void gw_status_free(struct gw_status *s)
{
	if (!s)
		return;
	free(s->peers);
	s->peers = NULL;
	s->n_peers = 0;
}

/* Counts beyond the arrays would be a bug of the collector; never read past them. */
static size_t n_paths_of(const struct gw_status_peer *p)
{
	return p->n_paths < GW_STATUS_MAX_PATHS ? p->n_paths : GW_STATUS_MAX_PATHS;
}

static size_t clamp_drops(size_t n)
{
	return n < GW_STATUS_MAX_DROPS ? n : GW_STATUS_MAX_DROPS;
}

static bool path_is_active(const struct gw_status_peer *p, size_t i)
{
	return p->paths[i].active || (p->active_path >= 0 && (size_t)p->active_path == i);
}

/* --- JSON ------------------------------------------------------------------------------ */

static void json_drops(struct json *j, const struct gw_status_drop *drops, size_t n)
{
	json_key(j, "drops");
	json_object_begin(j);
	for (size_t i = 0; i < clamp_drops(n); i++) {
		json_key(j, drops[i].reason ? drops[i].reason : "unknown");
		json_uint(j, drops[i].count);
	}
	json_object_end(j);
}

static void json_path(struct json *j, const struct gw_status_peer *p, size_t i)
{
	const struct gw_status_path *path = &p->paths[i];

	json_object_begin(j);
	json_key(j, "id");
	json_uint(j, path->id);
	json_key(j, "hops");
	json_uint(j, path->hops);
	json_key(j, "hidden");
	json_bool(j, path->hidden);
	json_key(j, "alive");
	json_bool(j, path->alive);
	json_key(j, "active");
	json_bool(j, path_is_active(p, i));
	json_key(j, "rtt_ms");
	if (path->rtt_ms < 0)
		json_null(j);
	else
		json_double(j, path->rtt_ms, 3);
	json_key(j, "loss");
	json_double(j, path->loss, 4);
	json_key(j, "mtu");
	json_uint(j, path->mtu);
	json_key(j, "expiry_unix");
	json_uint(j, path->expiry_unix);
	json_key(j, "interfaces");
	json_string(j, path->ifaces);
	json_object_end(j);
}

static void json_peer(struct json *j, const struct gw_status_peer *p)
{
	json_object_begin(j);
	json_key(j, "remote");
	json_string(j, p->remote);
	json_key(j, "description");
	json_string(j, p->description);
	json_key(j, "state");
	json_string(j, p->state ? p->state : "unknown");
	json_key(j, "active_path");
	if (p->active_path >= 0 && (size_t)p->active_path < n_paths_of(p))
		json_int(j, p->active_path);
	else
		json_null(j);
	json_key(j, "paths");
	json_array_begin(j);
	for (size_t i = 0; i < n_paths_of(p); i++)
		json_path(j, p, i);
	json_array_end(j);
	json_key(j, "tx_packets");
	json_uint(j, p->tx_packets);
	json_key(j, "rx_packets");
	json_uint(j, p->rx_packets);
	json_key(j, "tx_bytes");
	json_uint(j, p->tx_bytes);
	json_key(j, "rx_bytes");
	json_uint(j, p->rx_bytes);
	json_key(j, "handshakes");
	json_uint(j, p->handshakes);
	json_key(j, "rekeys");
	json_uint(j, p->rekeys);
	json_key(j, "last_handshake_unix_ms");
	if (p->last_handshake_unix_ms == 0)
		json_null(j);
	else
		json_uint(j, p->last_handshake_unix_ms);
	json_drops(j, p->drops, p->n_drops);
	json_object_end(j);
}

int gw_status_write_json(FILE *f, const struct gw_status *s, bool pretty)
{
	struct json j;

	json_init(&j, f, pretty);
	json_object_begin(&j);
	json_key(&j, "local");
	json_string(&j, s->local);
	json_key(&j, "uptime_ms");
	json_uint(&j, s->uptime_ms);
	json_drops(&j, s->drops, s->n_drops);
	json_key(&j, "peers");
	json_array_begin(&j);
	for (size_t i = 0; i < s->n_peers; i++)
		json_peer(&j, &s->peers[i]);
	json_array_end(&j);
	json_object_end(&j);
	return json_finish(&j);
}

/* --- table ----------------------------------------------------------------------------- */

/* "1h2m3s", "45s", "0s": whole seconds, as an operator reads them. */
static const char *format_duration(char *buf, size_t len, uint64_t ms)
{
	uint64_t s = ms / 1000, d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60;

	if (d)
		snprintf(buf, len, "%" PRIu64 "d%" PRIu64 "h%" PRIu64 "m%" PRIu64 "s", d, h, m,
			 s % 60);
	else if (h)
		snprintf(buf, len, "%" PRIu64 "h%" PRIu64 "m%" PRIu64 "s", h, m, s % 60);
	else if (m)
		snprintf(buf, len, "%" PRIu64 "m%" PRIu64 "s", m, s % 60);
	else
		snprintf(buf, len, "%" PRIu64 "s", s);
	return buf;
}

/* Text from a peer's configuration, printed so that it cannot drive the terminal. */
static void put_sanitized(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

static void put_drops(FILE *f, const char *indent, const struct gw_status_drop *d, size_t n)
{
	if (n == 0)
		return;
	fprintf(f, "%sdrops:", indent);
	for (size_t i = 0; i < clamp_drops(n); i++)
		fprintf(f, " %s=%" PRIu64, d[i].reason ? d[i].reason : "unknown", d[i].count);
	fputc('\n', f);
}

static void put_path(FILE *f, const struct gw_status_peer *p, size_t i, uint64_t now_unix_ms)
{
	const struct gw_status_path *path = &p->paths[i];
	char rtt[32], flags[32];

	if (path->rtt_ms < 0)
		snprintf(rtt, sizeof(rtt), "-");
	else
		snprintf(rtt, sizeof(rtt), "%.3fms", path->rtt_ms);
	snprintf(flags, sizeof(flags), "%s%s", path->alive ? "alive" : "dead",
		 path->hidden ? ",hidden" : "");
	fprintf(f, "  %c %4" PRIu32 " %4u %10s %6.1f%% %5u ", path_is_active(p, i) ? '*' : ' ',
		path->id, path->hops, rtt, path->loss * 100.0, (unsigned)path->mtu);
	uint64_t now_s = now_unix_ms / 1000;
	char expiry[32];
	if (path->expiry_unix == 0)
		snprintf(expiry, sizeof(expiry), "-");
	else if (path->expiry_unix <= now_s)
		snprintf(expiry, sizeof(expiry), "expired");
	else
		format_duration(expiry, sizeof(expiry), (path->expiry_unix - now_s) * 1000);
	fprintf(f, "%-10s", expiry);
	fprintf(f, " %-12s ", flags);
	put_sanitized(f, path->ifaces);
	fputc('\n', f);
}

static void put_peer(FILE *f, const struct gw_status_peer *p, uint64_t now_unix_ms)
{
	fputs("\npeer ", f);
	put_sanitized(f, p->remote);
	if (p->description[0]) {
		fputs(" (", f);
		put_sanitized(f, p->description);
		fputc(')', f);
	}
	fprintf(f, "\n  state %s, %" PRIu64 " handshakes, %" PRIu64 " rekeys, last handshake ",
		p->state ? p->state : "unknown", p->handshakes, p->rekeys);
	if (p->last_handshake_unix_ms == 0) {
		fputs("never", f);
	} else if (p->last_handshake_unix_ms > now_unix_ms) {
		fputs("just now", f);
	} else {
		char ago[32];
		fprintf(f, "%s ago",
			format_duration(ago, sizeof(ago), now_unix_ms - p->last_handshake_unix_ms));
	}
	fprintf(f,
		"\n  tx %" PRIu64 " packets %" PRIu64 " bytes, rx %" PRIu64 " packets %" PRIu64
		" bytes\n",
		p->tx_packets, p->tx_bytes, p->rx_packets, p->rx_bytes);
	put_drops(f, "  ", p->drops, p->n_drops);
	if (n_paths_of(p) == 0) {
		fputs("  no paths\n", f);
		return;
	}
	fprintf(f, "  %c %4s %4s %10s %7s %5s %-10s %-12s %s\n", ' ', "ID", "HOPS", "RTT", "LOSS",
		"MTU", "EXPIRES", "FLAGS", "INTERFACES");
	for (size_t i = 0; i < n_paths_of(p); i++)
		put_path(f, p, i, now_unix_ms);
}

int gw_status_write_table(FILE *f, const struct gw_status *s, uint64_t now_unix_ms)
{
	fputs("gateway ", f);
	put_sanitized(f, s->local);
	char up[32];
	fprintf(f, ", up %s, %zu peer%s\n", format_duration(up, sizeof(up), s->uptime_ms),
		s->n_peers, s->n_peers == 1 ? "" : "s");
	put_drops(f, "", s->drops, s->n_drops);
	for (size_t i = 0; i < s->n_peers; i++)
		put_peer(f, &s->peers[i], now_unix_ms);
	if (fflush(f) != 0 || ferror(f))
		return -1;
	return 0;
}
