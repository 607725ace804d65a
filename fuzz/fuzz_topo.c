/* SPDX-License-Identifier: MIT */
/*
 * The .topo parser as is: any bytes must give a validated topology or a file:line error,
 * never a crash, a leak or an unterminated message.
 */
#include <stdint.h>
#include <string.h>

#include "topo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct topo_error err;
	struct topo *t = NULL;
	int rc = topo_parse("fuzz.topo", data, size, &t, &err);

	if (rc == 0) {
		if (!t || t->num_ases == 0 || t->num_ases > TOPO_MAX_ASES ||
		    t->num_links > TOPO_MAX_LINKS)
			__builtin_trap();
		/* Validation promises: endpoints exist, ifids unique, no self links. */
		for (size_t i = 0; i < t->num_links; i++) {
			const struct topo_link *l = &t->links[i];
			bool a_side;

			if (l->a.as >= t->num_ases || l->b.as >= t->num_ases ||
			    l->a.as == l->b.as ||
			    topo_link_at(t, l->a.as, l->a.ifid, &a_side) != l || !a_side)
				__builtin_trap();
		}
		topo_free(t);
	} else if (t || memchr(err.msg, '\0', sizeof(err.msg)) == NULL ||
		   strncmp(err.msg, "fuzz.topo", 9) != 0) {
		__builtin_trap();
	}
	return 0;
}
