/* SPDX-License-Identifier: MIT */
/* Results of loading seg's configuration files (conf.yaml, adapter.yaml). */
#ifndef SEG_CONFIG_CONFIG_ERR_H
#define SEG_CONFIG_CONFIG_ERR_H

enum seg_config_err {
	SEG_CONFIG_OK = 0,
	SEG_CONFIG_ERR_IO = -1,	     /* the file cannot be read */
	SEG_CONFIG_ERR_SYNTAX = -2,  /* not YAML, or more than one document, or too deep */
	SEG_CONFIG_ERR_INVALID = -3, /* YAML, but not a valid configuration */
	SEG_CONFIG_ERR_NOMEM = -4,
	SEG_CONFIG_ERR_TOO_BIG = -5, /* larger than SEG_CONFIG_FILE_MAX */
};

enum {
	/* Configuration files are small; anything larger is a mistake. */
	SEG_CONFIG_FILE_MAX = 1 << 20,
	/* Room for one error message ("file:line:col: what \"token\""). */
	SEG_CONFIG_ERRLEN = 512,
	/* Longest address or prefix string accepted (addr, subnet, allowedSubnets); longer ones
	 * are refused with this number in the message, so it stays as the first parser had it. */
	SEG_CONFIG_ADDR_MAX = 48,
};

#endif /* SEG_CONFIG_CONFIG_ERR_H */
