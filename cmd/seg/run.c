// SPDX-License-Identifier: MIT
/* `seg run`: runs a gateway. (Being written on branch ops.) */
#include <stdio.h>

#include "commands.h"

int run_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "seg run: not implemented yet\n");
	return 1;
}
