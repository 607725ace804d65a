/* SPDX-License-Identifier: MIT */
/*
 * Writing values for the canonical printers of conf.yaml and adapter.yaml: strings as
 * YAML double-quoted scalars that libyaml reads back byte for byte.
 *
 * Internal to src/config. Thread: any.
 */
#ifndef SEG_CONFIG_YAML_PRINT_H
#define SEG_CONFIG_YAML_PRINT_H

#include <stdio.h>

/* Writes s as a double-quoted YAML scalar: escapes quotes, backslashes, control and line
 * break characters and code points YAML does not allow raw; other UTF-8 as is. */
void yaml_print_string(FILE *f, const char *s);

#endif /* SEG_CONFIG_YAML_PRINT_H */
