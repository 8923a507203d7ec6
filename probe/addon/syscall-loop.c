/* Load generator for probe tests and bench:probe: `syscall-loop MODE COUNT`.
 * close: close(-1) (EBADF, the cheapest traced syscall); openclose: open+close /dev/null;
 * getppid: an untraced syscall (the cost tracing adds to syscalls it does not record). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: syscall-loop close|openclose|getppid COUNT\n");
		return 2;
	}
	long n = atol(argv[2]);
	if (!strcmp(argv[1], "close")) {
		for (long i = 0; i < n; i++) close(-1);
	} else if (!strcmp(argv[1], "openclose")) {
		for (long i = 0; i < n; i++) close(open("/dev/null", O_RDONLY));
	} else if (!strcmp(argv[1], "getppid")) {
		for (long i = 0; i < n; i++) getppid();
	} else {
		fprintf(stderr, "syscall-loop: unknown mode %s\n", argv[1]);
		return 2;
	}
	return 0;
}
