/* SPDX-License-Identifier: MIT */
/*
 * Interop helper: the C daemon server with the fixture answers, for another implementation's
 * client (interop.py). Binds 127.0.0.1 on a free port, prints "PORT <n>", serves until its
 * standard input closes, then stops cleanly and prints how many calls it served.
 */
#include <stdio.h>

#include "fixtures.h"

int main(void)
{
	struct fixture_state state = {0};
	struct seg_daemon_server *s;
	uint16_t port;
	int rc, ch;

	rc = seg_daemon_server_start("127.0.0.1:0", &fixture_ops, &state, &s, &port);
	if (rc) {
		fprintf(stderr, "cannot start: %s\n", seg_daemon_strerror(rc));
		return 1;
	}
	printf("PORT %u\n", port);
	fflush(stdout);
	do
		ch = getchar();
	while (ch != EOF);
	seg_daemon_server_stop(s);
	printf("served %d calls\n", state.n_calls);
	return 0;
}
