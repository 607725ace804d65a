/* SPDX-License-Identifier: MIT */
/*
 * Per-AS secrets of seg-testnet, as scionproto's topology generator lays them out: two
 * random 16-byte master secrets per AS, written base64 to DIR/<ia>/keys/master0.key and
 * master1.key. From master0 come, as in the reference, the hop-field forwarding key
 * (scion_forwarding_key_derive) and the DRKey secret values (drkey_sv_derive, one per
 * protocol and epoch; epochs are aligned to multiples of their length from the Unix epoch,
 * like the reference's SecretValueFactory). master1 is the reference's rotation key; the
 * testnet never rotates, so it is only written.
 *
 * With a seed, secret i of an AS is SHA-256("seg-testnet master" | seed | IA | i)[0:16]
 * (big-endian integers): reproducible runs for tests and bug reports.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "netrun_internal.h"

static void be64_put(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static int keys_from_seed(uint64_t seed, scion_ia_t ia, uint8_t idx,
			  uint8_t out[SCION_MASTER_KEY_LEN])
{
	static const char label[] = "seg-testnet master";
	uint8_t in[sizeof(label) - 1 + 8 + 8 + 1];
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned md_len = 0;
	int ok;

	memcpy(in, label, sizeof(label) - 1);
	be64_put(in + sizeof(label) - 1, seed);
	be64_put(in + sizeof(label) - 1 + 8, ia);
	in[sizeof(in) - 1] = idx;
	ok = EVP_Digest(in, sizeof(in), md, &md_len, EVP_sha256(), NULL);
	if (ok == 1 && md_len >= SCION_MASTER_KEY_LEN)
		memcpy(out, md, SCION_MASTER_KEY_LEN);
	OPENSSL_cleanse(md, sizeof(md));
	return ok == 1 && md_len >= SCION_MASTER_KEY_LEN ? 0 : NETRUN_ERR_CRYPTO;
}

int netrun_keys_make(struct netrun *n)
{
	for (size_t i = 0; i < n->num_ases; i++) {
		struct netrun_as_rt *as = &n->ases[i];

		if (n->opts.has_seed) {
			if (keys_from_seed(n->opts.seed, as->pub.ia, 0, as->master0) ||
			    keys_from_seed(n->opts.seed, as->pub.ia, 1, as->master1))
				return NETRUN_ERR_CRYPTO;
		} else if (RAND_bytes(as->master0, sizeof(as->master0)) != 1 ||
			   RAND_bytes(as->master1, sizeof(as->master1)) != 1) {
			return NETRUN_ERR_CRYPTO;
		}
		if (scion_forwarding_key_derive(as->master0, sizeof(as->master0), as->fwd_key))
			return NETRUN_ERR_CRYPTO;
		as->mac = scion_mac_key_new(as->fwd_key);
		if (!as->mac)
			return NETRUN_ERR_CRYPTO;
	}
	return 0;
}

static int mkdir_one(const char *path)
{
	if (mkdir(path, 0755) == 0 || errno == EEXIST)
		return 0;
	return -1;
}

static int write_key(const char *path, const uint8_t key[SCION_MASTER_KEY_LEN])
{
	/* base64 of 16 bytes: 24 characters and the NUL EVP_EncodeBlock writes. */
	char b64[4 * ((SCION_MASTER_KEY_LEN + 2) / 3) + 1];
	int len = EVP_EncodeBlock((unsigned char *)b64, key, SCION_MASTER_KEY_LEN);
	int fd, rc = -1;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		goto out;
	/* An existing file keeps its mode through O_CREAT: force 0600. */
	if (fchmod(fd, 0600) == 0 && len > 0 && write(fd, b64, (size_t)len) == len)
		rc = 0;
	if (close(fd) != 0)
		rc = -1;
out:
	OPENSSL_cleanse(b64, sizeof(b64));
	return rc;
}

int netrun_keys_write(struct netrun *n, char *err, size_t errlen)
{
	char path[NETRUN_PATH_MAX + 64];

	for (size_t i = 0; i < n->num_ases; i++) {
		const struct netrun_as_rt *as = &n->ases[i];
		const char *failed = path;

		snprintf(path, sizeof(path), "%s/%s", n->dir, as->pub.ia_str);
		if (mkdir_one(path))
			goto fail;
		snprintf(path, sizeof(path), "%s/%s/keys", n->dir, as->pub.ia_str);
		if (mkdir_one(path))
			goto fail;
		snprintf(path, sizeof(path), "%s/%s/keys/master0.key", n->dir, as->pub.ia_str);
		if (write_key(path, as->master0))
			goto fail;
		snprintf(path, sizeof(path), "%s/%s/keys/master1.key", n->dir, as->pub.ia_str);
		if (write_key(path, as->master1))
			goto fail;
		continue;
	fail:
		snprintf(err, errlen, "cannot write '%s': %s", failed, strerror(errno));
		return NETRUN_ERR_IO;
	}
	return 0;
}

int netrun_drkey_sv(const struct netrun_as_rt *as, uint16_t proto, uint64_t val_time,
		    uint8_t sv[DRKEY_KEY_LEN], struct drkey_epoch *epoch)
{
	uint64_t len = as->net->opts.drkey_epoch_sec;
	uint64_t begin = val_time / len * len;

	/* Epoch bounds are 32-bit Unix seconds in the derivation (drkey.rst). */
	if (begin + len > UINT32_MAX)
		return SEG_DAEMON_ERR_ARG;
	epoch->begin = (uint32_t)begin;
	epoch->end = (uint32_t)(begin + len);
	if (drkey_sv_derive(as->master0, sizeof(as->master0), proto, epoch, sv))
		return SEG_DAEMON_ERR_INTERNAL;
	return 0;
}
