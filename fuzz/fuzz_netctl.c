/* SPDX-License-Identifier: MIT */
/*
 * The control socket's request parser as is (netctl_parse): any line must parse into a
 * request that formats and parses back to itself, or give a terminated error message.
 */
#include <stdint.h>
#include <string.h>

#include "netctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[NETCTL_LINE_MAX + 64], again[NETCTL_LINE_MAX];
	char err[NETCTL_ERR_LEN];
	struct netctl_cmd cmd, back;

	if (size >= sizeof(line))
		size = sizeof(line) - 1;
	memcpy(line, data, size);
	line[size] = '\0'; /* the server hands the parser a NUL-terminated line */
	memset(err, 'x', sizeof(err));
	if (netctl_parse(line, &cmd, err, sizeof(err)) != 0) {
		if (!memchr(err, '\0', sizeof(err)))
			__builtin_trap();
		return 0;
	}
	if (netctl_format(&cmd, again, sizeof(again)) != 0 ||
	    netctl_parse(again, &back, err, sizeof(err)) != 0 ||
	    memcmp(&cmd, &back, sizeof(cmd)) != 0)
		__builtin_trap();
	if (cmd.has_loss && cmd.loss_ppm > 1000000)
		__builtin_trap();
	if (cmd.has_delay && cmd.delay_us > NETCTL_MAX_DELAY_MS * 1000u)
		__builtin_trap();
	return 0;
}
