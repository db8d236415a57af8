/*
 * fuzz_invite.c — the invitation line parser on any bytes: it must not read
 * outside them; a line it accepts must hold a network and an address of
 * printable ASCII within their limits, and formatting what it parsed must
 * give a line that parses to the same invitation.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "invite.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct invite_line	 a, b;
	char			*s, *line, *cause = NULL;

	if (sodium_init() < 0)
		abort();
	s = xmalloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	if (invite_parse(s, &a, &cause) == 0) {
		if (a.network[0] == '\0' || a.addr[0] == '\0' ||
		    strlen(a.network) > INVITE_NET_MAX ||
		    strlen(a.addr) > INVITE_ADDR_MAX ||
		    strchr(a.addr, ':') == NULL)
			abort();
		line = invite_format(&a);
		if (strlen(line) > INVITE_LINE_MAX ||
		    invite_parse(line, &b, NULL) != 0 ||
		    memcmp(&a, &b, sizeof a) != 0)
			abort();
		free(line);
	} else if (cause == NULL)
		abort();
	free(cause);
	free(s);
	return 0;
}
