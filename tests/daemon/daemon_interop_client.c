/* SPDX-License-Identifier: MIT */
/*
 * Interop helper: the C daemon client against another implementation's server (interop.py
 * runs a Python grpcio server with the fixture answers). Usage: daemon_interop_client ADDR.
 * Exits 0 when every method returned exactly the fixtures.
 */
#include <stdio.h>

#include "fixtures.h"

int main(int argc, char **argv)
{
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: %s HOST:PORT\n", argv[0]);
		return 2;
	}
	rc = fixture_client_check_all(argv[1], stderr);
	printf("interop client: %s\n", rc ? "FAILED" : "all methods match");
	return rc;
}
