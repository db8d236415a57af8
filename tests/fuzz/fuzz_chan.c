/*
 * fuzz_chan.c — libFuzzer target: the secure channel fed hostile bytes.
 *
 * A static init runs one good handshake and keeps copies of the endpoints
 * at each step (struct chan holds no pointers). Each input then goes, on a
 * fresh copy each time, to the listener as message 1 (and, if accepted, the
 * listener answers), to the dialer as message 2, to the listener as
 * message 3, to the ready listener as one transport frame, and as a stream
 * of 2-byte big-endian length-prefixed frames. Only the exact good messages
 * may be accepted after message 1: anything else accepted is a forgery.
 *
 * libsodium's randomness is replaced by a fixed generator, reset for every
 * input, so the good flow and the seeds are the same on every run. Build
 * with -DFUZZ_CHAN_SEEDS (no -fsanitize=fuzzer) for a program that writes
 * the seeds into a directory:
 *	make build/libknow.a && cc -DFUZZ_CHAN_SEEDS -Iprotocol -Ikeys -o /tmp/seeds \
 *	    tests/fuzz/fuzz_chan.c build/libknow.a -lsodium &&
 *	    mkdir -p tests/fuzz/seeds/fuzz_chan && /tmp/seeds tests/fuzz/seeds/fuzz_chan
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "chan.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define RNG_SEED	0x6b6e6f7764ULL

static uint64_t	rng_state;

/* splitmix64: deterministic, and plenty for fuzzing. */
static uint64_t
rng_next(void)
{
	uint64_t	z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static const char *
rng_name(void)
{
	return "fuzz";
}

static uint32_t
rng_random(void)
{
	return (uint32_t)rng_next();
}

static void
rng_buf(void * const buf, const size_t size)
{
	uint8_t	*p = buf;
	size_t	 i;

	for (i = 0; i < size; i++)
		p[i] = (uint8_t)rng_next();
}

static randombytes_implementation rng_impl = {
	rng_name, rng_random, NULL, NULL, rng_buf, NULL
};

/* The good flow: endpoints before each step, and what was sent. */
static struct {
	struct keys_pair	 dialer, listener;
	struct chan		 read1, read2, read3, ready;
	uint8_t			 msg[3][CHAN_HS_MAX];
	size_t			 msglen[3];
	uint8_t			 frame[2][16 + CHAN_TAG];
	size_t			 framelen[2];
} fz;

/* Aborts when a step of the good flow fails: the target would be useless. */
static void
must(int rc, const char *what)
{
	if (rc != 0) {
		fprintf(stderr, "fuzz_chan setup: %s failed\n", what);
		abort();
	}
}

/* Runs the good handshake once, keeping each endpoint before each read. */
static void
setup(void)
{
	static const char	*plain[2] = { "hello listener", "" };
	uint8_t			 seed[crypto_sign_SEEDBYTES], netid[CHAN_NETID_LEN];
	struct chan		 d, l;
	int			 i;

	randombytes_set_implementation(&rng_impl);
	rng_state = RNG_SEED;
	must(sodium_init() < 0, "sodium_init");
	memset(seed, 'd', sizeof seed);
	crypto_sign_seed_keypair(fz.dialer.pk, fz.dialer.sk, seed);
	memset(seed, 'l', sizeof seed);
	crypto_sign_seed_keypair(fz.listener.pk, fz.listener.sk, seed);
	chan_network_id("fuzz", netid);

	must(chan_init(&d, 1, &fz.dialer, netid, fz.listener.pk, NULL), "init");
	must(chan_init(&l, 0, &fz.listener, netid, NULL, NULL), "init");
	must(chan_hs_write(&d, fz.msg[0], &fz.msglen[0], NULL), "write 1");
	fz.read1 = l;
	must(chan_hs_read(&l, fz.msg[0], fz.msglen[0], NULL), "read 1");
	must(chan_hs_write(&l, fz.msg[1], &fz.msglen[1], NULL), "write 2");
	fz.read2 = d;
	must(chan_hs_read(&d, fz.msg[1], fz.msglen[1], NULL), "read 2");
	must(chan_hs_write(&d, fz.msg[2], &fz.msglen[2], NULL), "write 3");
	fz.read3 = l;
	must(chan_hs_read(&l, fz.msg[2], fz.msglen[2], NULL), "read 3");
	fz.ready = l;
	for (i = 0; i < 2; i++) {
		fz.framelen[i] = strlen(plain[i]) + CHAN_TAG;
		must(chan_seal(&d, (const uint8_t *)plain[i], strlen(plain[i]),
		    fz.frame[i]), "seal");
	}
	chan_wipe(&d);
	chan_wipe(&l);
}

/* Feeds in to a fresh copy of c as its next handshake message. */
static int
try_read(const struct chan *c, struct chan *copy, const uint8_t *in,
    size_t len)
{
	char	*cause = NULL;
	int	 rc;

	*copy = *c;
	rc = chan_hs_read(copy, in, len, &cause);
	if ((rc == 0) != (cause == NULL))
		abort();
	free(cause);
	return rc;
}

/* True when in is exactly the good message or frame. */
static int
same(const uint8_t *in, size_t len, const uint8_t *good, size_t goodlen)
{
	return len == goodlen && memcmp(in, good, len) == 0;
}

/* The input as a stream of length-prefixed transport frames. */
static void
stream(const uint8_t *data, size_t size, uint8_t *out)
{
	struct chan	 c = fz.ready;
	size_t		 off = 0, n;
	char		*cause;

	while (size - off >= 2) {
		n = (size_t)data[off] << 8 | data[off + 1];
		off += 2;
		if (n > size - off)
			break;
		cause = NULL;
		if (chan_open(&c, data + off, n, out, &cause) != 0) {
			free(cause);
			break;
		}
		off += n;
	}
	chan_wipe(&c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	 ready;
	static uint8_t	 out[CHAN_MAX_FRAME], msg[CHAN_HS_MAX];
	struct chan	 c;
	size_t		 len;
	char		*cause = NULL;

	if (!ready) {
		setup();
		ready = 1;
	}
	rng_state = RNG_SEED;

	if (try_read(&fz.read1, &c, data, size) == 0) {
		if (chan_hs_write(&c, msg, &len, &cause) != 0 && cause == NULL)
			abort();
		free(cause);
	}
	chan_wipe(&c);

	if (try_read(&fz.read2, &c, data, size) == 0 &&
	    !same(data, size, fz.msg[1], fz.msglen[1]))
		abort();
	chan_wipe(&c);

	if (try_read(&fz.read3, &c, data, size) == 0 &&
	    (!same(data, size, fz.msg[2], fz.msglen[2]) ||
	    memcmp(chan_remote_pk(&c), fz.dialer.pk, KEYS_PK_LEN) != 0))
		abort();
	chan_wipe(&c);

	c = fz.ready;
	cause = NULL;
	if (chan_open(&c, data, size, out, &cause) == 0 &&
	    !same(data, size, fz.frame[0], fz.framelen[0]))
		abort();
	free(cause);
	chan_wipe(&c);

	stream(data, size, out);
	return 0;
}

#ifdef FUZZ_CHAN_SEEDS
/* Writes one seed file dir/name. */
static void
put(const char *dir, const char *name, const uint8_t *p, size_t len)
{
	char	 path[4096];
	FILE	*f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(p, 1, len, f) != len ||
	    fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* Writes the good messages and frames of the fixed flow as seeds. */
int
main(int argc, char **argv)
{
	uint8_t	both[2 * (2 + sizeof fz.frame[0])];
	size_t	len = 0;
	int	i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s seed-directory\n", argv[0]);
		return 1;
	}
	setup();
	put(argv[1], "msg1", fz.msg[0], fz.msglen[0]);
	put(argv[1], "msg2", fz.msg[1], fz.msglen[1]);
	put(argv[1], "msg3", fz.msg[2], fz.msglen[2]);
	put(argv[1], "frame", fz.frame[0], fz.framelen[0]);
	for (i = 0; i < 2; i++) {
		both[len++] = (uint8_t)(fz.framelen[i] >> 8);
		both[len++] = (uint8_t)fz.framelen[i];
		memcpy(both + len, fz.frame[i], fz.framelen[i]);
		len += fz.framelen[i];
	}
	put(argv[1], "stream", both, len);
	return 0;
}
#endif
