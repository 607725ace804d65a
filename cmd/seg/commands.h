/* SPDX-License-Identifier: MIT */
/*
 * The subcommands of `seg`, one file each (STYLE.md rule 22). Each takes the arguments
 * after its name (argv[0] is the subcommand's name) and returns the process exit status:
 * 0 on success, 1 on any error (the message already printed to stderr).
 * The table that names them and prints the usage is in main.c.
 */
#ifndef SEG_CMD_COMMANDS_H
#define SEG_CMD_COMMANDS_H

/* clang-format off */
int run_main(int argc, char **argv);
int status_main(int argc, char **argv);
int version_main(int argc, char **argv);
int paths_main(int argc, char **argv);
int ping_main(int argc, char **argv);
/* clang-format on */

#endif /* SEG_CMD_COMMANDS_H */
