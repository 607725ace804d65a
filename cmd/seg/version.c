// SPDX-License-Identifier: MIT
/* `seg version`: the version the build was configured with (CMake's project version). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"

#ifndef SEG_VERSION
#define SEG_VERSION "unknown"
#endif

int version_main(int argc, char **argv)
{
	if (argc > 1) {
		bool help = strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
			    strcmp(argv[1], "-help") == 0;
		fprintf(help ? stdout : stderr, "usage: seg version\n");
		return help ? 0 : 1;
	}
	printf("seg %s\n", SEG_VERSION);
	return 0;
}
