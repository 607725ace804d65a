/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness: a proto.daemon.v1.Path message from a daemon, decoded and validated into
 * struct seg_path (src/daemon/codec_path.c). Whatever is accepted must pass the validator and
 * re-encode; the re-encoding must decode to the same path.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct seg_path p, q;
	uint8_t *buf;
	size_t len;

	if (daemon_decode_path(data, size, &p))
		return 0;
	if (daemon_path_validate(&p))
		abort();
	if (daemon_encode_path(&p, &buf, &len))
		abort();
	if (daemon_decode_path(buf, len, &q))
		abort();
	free(buf);
	if (p.type != q.type || p.raw_len != q.raw_len || memcmp(p.raw, q.raw, p.raw_len) ||
	    p.n_ifaces != q.n_ifaces ||
	    memcmp(p.ifaces, q.ifaces, p.n_ifaces * sizeof(p.ifaces[0])) || p.mtu != q.mtu ||
	    p.expiry_unix != q.expiry_unix)
		abort();
	return 0;
}
