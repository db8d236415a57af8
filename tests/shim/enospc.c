/*
 * enospc.c — an LD_PRELOAD shim for tests: a full disk on demand. While the
 * file named by $KNOWD_ENOSPC exists, every write to a regular file (except
 * stdout and stderr, so the log survives) fails with ENOSPC; when the file
 * holds text, only writes to files whose path contains that text. Everything
 * else passes through unchanged.
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/uio.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

ssize_t	write(int, const void *, size_t);
ssize_t	pwrite(int, const void *, size_t, off_t);
ssize_t	pwrite64(int, const void *, size_t, off_t);
ssize_t	writev(int, const struct iovec *, int);
int	fallocate(int, int, off_t, off_t);
int	posix_fallocate(int, off_t, off_t);

/* True when a write to fd is to fail now. */
static int
full(int fd)
{
	const char	*flag = getenv("KNOWD_ENOSPC");
	char		 link[64], path[PATH_MAX], match[256];
	struct stat	 sb;
	ssize_t		 n;
	int		 f;

	if (flag == NULL || fd <= 2 || fstat(fd, &sb) != 0 ||
	    !S_ISREG(sb.st_mode) || (f = open(flag, O_RDONLY)) < 0)
		return 0;
	n = read(f, match, sizeof match - 1);
	close(f);
	while (n > 0 && match[n - 1] == '\n')
		n--;
	if (n <= 0)
		return 1;
	match[n] = '\0';
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	if ((n = readlink(link, path, sizeof path - 1)) < 0)
		return 0;
	path[n] = '\0';
	return strstr(path, match) != NULL;
}

/* The next definition of name (libc's, or a sanitizer's interceptor). */
static void *
next(const char *name)
{
	void	*p = dlsym(RTLD_NEXT, name);

	if (p == NULL)
		abort();
	return p;
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	static ssize_t (*real)(int, const void *, size_t);

	if (full(fd)) {
		errno = ENOSPC;
		return -1;
	}
	if (real == NULL)
		real = next("write");
	return real(fd, buf, n);
}

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	static ssize_t (*real)(int, const void *, size_t, off_t);

	if (full(fd)) {
		errno = ENOSPC;
		return -1;
	}
	if (real == NULL)
		real = next("pwrite");
	return real(fd, buf, n, off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	static ssize_t (*real)(int, const void *, size_t, off_t);

	if (full(fd)) {
		errno = ENOSPC;
		return -1;
	}
	if (real == NULL)
		real = next("pwrite64");
	return real(fd, buf, n, off);
}

ssize_t
writev(int fd, const struct iovec *iov, int n)
{
	static ssize_t (*real)(int, const struct iovec *, int);

	if (full(fd)) {
		errno = ENOSPC;
		return -1;
	}
	if (real == NULL)
		real = next("writev");
	return real(fd, iov, n);
}

int
fallocate(int fd, int mode, off_t off, off_t len)
{
	static int (*real)(int, int, off_t, off_t);

	if (full(fd)) {
		errno = ENOSPC;
		return -1;
	}
	if (real == NULL)
		real = next("fallocate");
	return real(fd, mode, off, len);
}

int
posix_fallocate(int fd, off_t off, off_t len)
{
	static int (*real)(int, off_t, off_t);

	if (full(fd))
		return ENOSPC;
	if (real == NULL)
		real = next("posix_fallocate");
	return real(fd, off, len);
}
