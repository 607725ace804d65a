/* SPDX-License-Identifier: MIT */
/*
 * The control socket of a running seg-testnet: DIR/control.sock, a unix stream socket. A
 * client sends one line, gets one line back, and the server closes the connection.
 *
 *   link down IA#IFID [revoke]        -> ok
 *   link up IA#IFID                   -> ok            (also ends a revocation)
 *   link set IA#IFID [loss=P] [delay=D] -> ok
 *   status                            -> ok {"net":...,"links":[...],"routers":[...]}
 *
 * P is a percentage 0..100 with up to four decimals and an optional '%' ("5", "0.5%"); D is
 * a duration ("20ms", "1.5s", "300us"; a bare number means ms), at most NETCTL_MAX_DELAY_MS.
 * Anything else is answered "error: <why, quoting the bad token>". The parser is pure and
 * shared by the server and the `seg-testnet link` client, which checks its arguments
 * before it connects.
 *
 * Thread: the server runs one thread that serves one connection at a time, each bounded by
 * NETCTL_IO_TIMEOUT_MS; netctl_server_stop from the thread that started it.
 */
#ifndef SEG_TESTNET_NETCTL_H
#define SEG_TESTNET_NETCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <seg/scion_addr.h>

enum {
	NETCTL_LINE_MAX = 1024,
	NETCTL_IO_TIMEOUT_MS = 2000,
	NETCTL_MAX_DELAY_MS = 10000,
	NETCTL_ERR_LEN = 256,
	/** Longest reply a client accepts (the status line of a large network). */
	NETCTL_REPLY_MAX = 4 << 20,
};

enum netctl_op {
	NETCTL_LINK_DOWN,
	NETCTL_LINK_UP,
	NETCTL_LINK_SET,
	NETCTL_STATUS,
};

struct netctl_cmd {
	enum netctl_op op;
	scion_ia_t ia;
	uint16_t ifid;
	bool revoke;
	bool has_loss;
	bool has_delay;
	uint32_t loss_ppm;
	uint32_t delay_us;
};

/** "IA#IFID" -> ia, ifid (1..65535). */
__attribute__((warn_unused_result)) int netctl_parse_iface(const char *s, scion_ia_t *ia,
							   uint16_t *ifid);
/** "5", "0.5%", "100" -> loss per million. */
__attribute__((warn_unused_result)) int netctl_parse_loss(const char *s, uint32_t *ppm);
/** "20ms", "1.5s", "300us", "20" (ms) -> microseconds. */
__attribute__((warn_unused_result)) int netctl_parse_delay(const char *s, uint32_t *us);

/** Parses one request line (without its newline); err quotes the bad token. */
__attribute__((warn_unused_result)) int netctl_parse(const char *line, struct netctl_cmd *cmd,
						     char *err, size_t errlen);
/** Writes cmd as a request line (no newline); -1 when cap is too small. */
int netctl_format(const struct netctl_cmd *cmd, char *buf, size_t cap);

struct netrun;
struct netctl_server;

/** Serves DIR/control.sock for network n; fails when another testnet serves it. */
__attribute__((warn_unused_result)) int
netctl_server_start(struct netrun *n, struct netctl_server **out, char *err, size_t errlen);
/** Stops the thread and removes the socket file. NULL is a no-op. */
void netctl_server_stop(struct netctl_server *s);

/** Executes one request line against n: *reply (malloc'ed) is "ok ..." or "error: ...". */
__attribute__((warn_unused_result)) int netctl_execute(struct netrun *n, const char *line,
						       char **reply);

/**
 * Client: sends line to the socket at sock_path and returns the reply line (malloc'ed,
 * without newline) in *reply. Fails (err says why) when nothing answers in time.
 */
__attribute__((warn_unused_result)) int netctl_request(const char *sock_path, const char *line,
						       char **reply, char *err, size_t errlen);

#endif /* SEG_TESTNET_NETCTL_H */
