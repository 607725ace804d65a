/* SPDX-License-Identifier: MIT */
/*
 * The control protocol of seg-testnet (netctl.h): parsing and executing request lines.
 * The socket server and client are in netctl_sock.c.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/duration.h"
#include "netctl.h"
#include "netrun.h"

enum {
	NETCTL_MAX_WORDS = 8,
	NETCTL_PPM = 1000000,
};

int netctl_parse_iface(const char *s, scion_ia_t *ia, uint16_t *ifid)
{
	const char *hash = strrchr(s, '#');
	unsigned long v = 0;

	if (!hash || hash == s || !hash[1] || strlen(hash + 1) > 5)
		return -1;
	for (const char *p = hash + 1; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	if (scion_ia_parse(s, (size_t)(hash - s), ia) || scion_ia_isd(*ia) == 0 ||
	    scion_ia_as(*ia) == 0)
		return -1;
	*ifid = (uint16_t)v;
	return 0;
}

int netctl_parse_loss(const char *s, uint32_t *ppm)
{
	uint64_t whole = 0, frac = 0;
	unsigned frac_digits = 0, whole_digits = 0;
	const char *p = s;

	for (; isdigit((unsigned char)*p); p++, whole_digits++) {
		whole = whole * 10 + (uint64_t)(*p - '0');
		if (whole > 100)
			return -1;
	}
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++, frac_digits++) {
			if (frac_digits == 4)
				return -1; /* finer than a ppm */
			frac = frac * 10 + (uint64_t)(*p - '0');
		}
		if (!frac_digits)
			return -1;
	}
	if (*p == '%')
		p++;
	if (*p || !whole_digits)
		return -1;
	for (unsigned i = frac_digits; i < 4; i++)
		frac *= 10;
	/* percent * 10^4 = ppm */
	if (whole * 10000 + frac > NETCTL_PPM)
		return -1;
	*ppm = (uint32_t)(whole * 10000 + frac);
	return 0;
}

int netctl_parse_delay(const char *s, uint32_t *us)
{
	uint64_t ns;
	size_t len = strlen(s);
	bool digits = len > 0 && len <= 9;

	for (size_t i = 0; digits && i < len; i++)
		digits = isdigit((unsigned char)s[i]);
	if (digits) {
		/* A bare number is milliseconds. */
		ns = strtoull(s, NULL, 10) * 1000000ull;
	} else if (seg_duration_parse(s, len, &ns)) {
		return -1;
	}
	if (ns > (uint64_t)NETCTL_MAX_DELAY_MS * 1000000ull)
		return -1;
	*us = (uint32_t)(ns / 1000);
	return 0;
}

/* Splits line at spaces into at most NETCTL_MAX_WORDS words (in buf, which it modifies). */
static int split_words(char *buf, char **words)
{
	int n = 0;

	for (char *tok = strtok(buf, " \t"); tok; tok = strtok(NULL, " \t")) {
		if (n == NETCTL_MAX_WORDS)
			return -1;
		words[n++] = tok;
	}
	return n;
}

static int parse_set_arg(const char *word, struct netctl_cmd *cmd, char *err, size_t errlen)
{
	if (!strncmp(word, "loss=", 5)) {
		if (cmd->has_loss || netctl_parse_loss(word + 5, &cmd->loss_ppm))
			goto bad;
		cmd->has_loss = true;
		return 0;
	}
	if (!strncmp(word, "delay=", 6)) {
		if (cmd->has_delay || netctl_parse_delay(word + 6, &cmd->delay_us))
			goto bad;
		cmd->has_delay = true;
		return 0;
	}
bad:
	snprintf(err, errlen,
		 "bad link setting '%s' (want loss=PERCENT and/or delay=DURATION up to %d ms,"
		 " each once)",
		 word, NETCTL_MAX_DELAY_MS);
	return -1;
}

static int parse_link(char **w, int nw, struct netctl_cmd *cmd, char *err, size_t errlen)
{
	if (nw < 3) {
		snprintf(err, errlen, "'link' needs 'down|up|set IA#IFID'");
		return -1;
	}
	if (!strcmp(w[1], "down")) {
		cmd->op = NETCTL_LINK_DOWN;
	} else if (!strcmp(w[1], "up")) {
		cmd->op = NETCTL_LINK_UP;
	} else if (!strcmp(w[1], "set")) {
		cmd->op = NETCTL_LINK_SET;
	} else {
		snprintf(err, errlen, "unknown link command '%s' (want down, up or set)", w[1]);
		return -1;
	}
	if (netctl_parse_iface(w[2], &cmd->ia, &cmd->ifid)) {
		snprintf(err, errlen, "bad interface '%s' (want ISD-AS#IFID, e.g. 1-ff00:0:110#1)",
			 w[2]);
		return -1;
	}
	for (int i = 3; i < nw; i++) {
		if (cmd->op == NETCTL_LINK_DOWN && !strcmp(w[i], "revoke") && !cmd->revoke) {
			cmd->revoke = true;
		} else if (cmd->op == NETCTL_LINK_SET) {
			if (parse_set_arg(w[i], cmd, err, errlen))
				return -1;
		} else {
			snprintf(err, errlen, "unexpected '%s' after 'link %s %s'", w[i], w[1],
				 w[2]);
			return -1;
		}
	}
	if (cmd->op == NETCTL_LINK_SET && !cmd->has_loss && !cmd->has_delay) {
		snprintf(err, errlen, "'link set %s' needs loss= or delay=", w[2]);
		return -1;
	}
	return 0;
}

int netctl_parse(const char *line, struct netctl_cmd *cmd, char *err, size_t errlen)
{
	char buf[NETCTL_LINE_MAX + 1];
	char *w[NETCTL_MAX_WORDS];
	size_t len = strlen(line);
	int nw;

	memset(cmd, 0, sizeof(*cmd));
	if (len > NETCTL_LINE_MAX) {
		snprintf(err, errlen, "request longer than %d bytes", NETCTL_LINE_MAX);
		return -1;
	}
	memcpy(buf, line, len + 1);
	nw = split_words(buf, w);
	if (nw <= 0) {
		snprintf(err, errlen, nw == 0 ? "empty request" : "too many words");
		return -1;
	}
	if (!strcmp(w[0], "status")) {
		if (nw > 1) {
			snprintf(err, errlen, "unexpected '%s' after 'status'", w[1]);
			return -1;
		}
		cmd->op = NETCTL_STATUS;
		return 0;
	}
	if (!strcmp(w[0], "link"))
		return parse_link(w, nw, cmd, err, errlen);
	snprintf(err, errlen, "unknown request '%s' (want link or status)", w[0]);
	return -1;
}

int netctl_format(const struct netctl_cmd *cmd, char *buf, size_t cap)
{
	char ia[SCION_IA_STRLEN];
	int len = 0;

	if (cmd->op == NETCTL_STATUS)
		return snprintf(buf, cap, "status") < (int)cap ? 0 : -1;
	if (scion_ia_format(cmd->ia, ia, sizeof(ia)))
		return -1;
	switch (cmd->op) {
	case NETCTL_LINK_DOWN:
		len = snprintf(buf, cap, "link down %s#%u%s", ia, cmd->ifid,
			       cmd->revoke ? " revoke" : "");
		break;
	case NETCTL_LINK_UP:
		len = snprintf(buf, cap, "link up %s#%u", ia, cmd->ifid);
		break;
	case NETCTL_LINK_SET:
		len = snprintf(buf, cap, "link set %s#%u", ia, cmd->ifid);
		if (len > 0 && (size_t)len < cap && cmd->has_loss)
			len += snprintf(buf + len, cap - (size_t)len,
					" loss=%" PRIu32 ".%04" PRIu32 "%%", cmd->loss_ppm / 10000,
					cmd->loss_ppm % 10000);
		if (len > 0 && (size_t)len < cap && cmd->has_delay)
			len += snprintf(buf + len, cap - (size_t)len, " delay=%" PRIu32 "us",
					cmd->delay_us);
		break;
	case NETCTL_STATUS:
		break;
	}
	return len > 0 && (size_t)len < cap ? 0 : -1;
}

static int reply_fmt(char **reply, const char *prefix, const char *text)
{
	size_t len = strlen(prefix) + strlen(text) + 1;

	*reply = malloc(len);
	if (!*reply)
		return NETRUN_ERR_NOMEM;
	snprintf(*reply, len, "%s%s", prefix, text);
	return 0;
}

static int execute_link(struct netrun *n, const struct netctl_cmd *cmd, char **reply)
{
	struct netrun_link_state st = {0};
	unsigned set = 0;
	int rc;

	switch (cmd->op) {
	case NETCTL_LINK_DOWN:
		st.up = false;
		st.revoked = cmd->revoke;
		set = NETRUN_LINK_UP | (cmd->revoke ? NETRUN_LINK_REVOKED : 0);
		break;
	case NETCTL_LINK_UP:
		st.up = true;
		st.revoked = false;
		set = NETRUN_LINK_UP | NETRUN_LINK_REVOKED;
		break;
	case NETCTL_LINK_SET:
		st.loss_ppm = cmd->loss_ppm;
		st.delay_us = cmd->delay_us;
		set = (cmd->has_loss ? NETRUN_LINK_LOSS : 0) |
		      (cmd->has_delay ? NETRUN_LINK_DELAY : 0);
		break;
	case NETCTL_STATUS:
		break;
	}
	rc = netrun_link_apply(n, cmd->ia, cmd->ifid, set, &st);
	if (rc == NETRUN_ERR_NOT_FOUND) {
		char ia[SCION_IA_STRLEN] = "?", msg[96];

		if (scion_ia_format(cmd->ia, ia, sizeof(ia)))
			ia[0] = '\0';
		snprintf(msg, sizeof(msg), "no link at '%s#%u' in this network", ia, cmd->ifid);
		return reply_fmt(reply, "error: ", msg);
	}
	if (rc)
		return reply_fmt(reply, "error: ", netrun_strerror(rc));
	return reply_fmt(reply, "ok", "");
}

int netctl_execute(struct netrun *n, const char *line, char **reply)
{
	struct netctl_cmd cmd;
	char err[NETCTL_ERR_LEN];
	char *status;
	int rc;

	*reply = NULL;
	if (netctl_parse(line, &cmd, err, sizeof(err)))
		return reply_fmt(reply, "error: ", err);
	if (cmd.op != NETCTL_STATUS)
		return execute_link(n, &cmd, reply);
	rc = netrun_status_json(n, &status);
	if (rc)
		return reply_fmt(reply, "error: ", netrun_strerror(rc));
	rc = reply_fmt(reply, "ok ", status);
	free(status);
	return rc;
}
