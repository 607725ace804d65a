// SPDX-License-Identifier: MIT
/* `seg status`: asks a running gateway over its control socket. (Being written on branch ops.) */
#include <stdio.h>

#include "commands.h"

int status_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "seg status: not implemented yet\n");
	return 1;
}
