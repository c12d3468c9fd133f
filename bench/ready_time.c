/* ready_time: how long a tool takes to attach, and its peak memory
 * (scripts/bench_func.py, which runs it inside the qemu lane).
 *
 *   bench_ready_time [-o LOG] [-f READY_FILE] [-t TIMEOUT_S] PATTERN -- COMMAND [ARGS...]
 *
 * Runs COMMAND on a pseudo-terminal (stdio line-buffered, as on a console:
 * libbpf-tools print their "Tracing ..." line with printf), its output copied
 * to LOG (default: discarded). When a line holding PATTERN (a plain string)
 * appears, it writes "ready_ms=X" to READY_FILE (X: ms since the fork) and
 * keeps copying. SIGINT/SIGTERM to this program are passed on to COMMAND as
 * SIGINT; after TIMEOUT_S (default 120) COMMAND gets SIGKILL. When COMMAND
 * has exited it prints one line:
 *
 *   ready_ms=812.3 exit_ms=1020.7 maxrss_kb=23456 rc=0
 *
 * ready_ms=-1 if the pattern never appeared; maxrss_kb is COMMAND's peak
 * resident set (wait4's ru_maxrss); rc is its exit status (128+N: signal N).
 * Exit status: 0 if the pattern appeared, 1 if not, 2 on a usage error. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define BENCH_NAME "ready_time"
#include "bench_util.h"

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

int main(int argc, char **argv)
{
	const char *log_path = NULL, *ready_path = NULL;
	double timeout_s = 120;
	int opt;

	while ((opt = getopt(argc, argv, "+o:f:t:h")) != -1) {
		switch (opt) {
		case 'o': log_path = optarg; break;
		case 'f': ready_path = optarg; break;
		case 't': timeout_s = (double)parse_count(optarg, "timeout"); break;
		default:
			fprintf(stderr, "usage: %s [-o LOG] [-f READY_FILE] [-t TIMEOUT_S] PATTERN -- COMMAND [ARGS...]\n",
				argv[0]);
			return 2;
		}
	}
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (argc - optind < 2) {
		fprintf(stderr, "ready_time: need PATTERN and COMMAND\n");
		return 2;
	}
	const char *pattern = argv[optind++];
	if (!strcmp(argv[optind], "--"))
		optind++;
	if (optind >= argc) {
		fprintf(stderr, "ready_time: need COMMAND\n");
		return 2;
	}
	int log_fd = -1;
	if (log_path && (log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		die(log_path);

	struct sigaction sa = { .sa_handler = on_stop };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	int master;
	double t0 = clock_ns(CLOCK_MONOTONIC);
	pid_t pid = forkpty(&master, NULL, NULL, NULL);
	if (pid < 0)
		die("forkpty");
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "ready_time: %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}

	/* The output, kept line by line until the pattern is found. */
	char line[8192];
	size_t used = 0;
	double ready_ms = -1;
	int sent_int = 0, killed = 0, eof = 0;
	for (;;) {
		if (stop_requested && !sent_int) {
			kill(pid, SIGINT);
			sent_int = 1;
		}
		if (!killed && (clock_ns(CLOCK_MONOTONIC) - t0) / 1e9 > timeout_s) {
			kill(pid, SIGKILL);
			killed = 1;
		}
		if (eof) {
			int status;
			struct rusage ru;
			pid_t got = wait4(pid, &status, WNOHANG, &ru);
			if (got == pid) {
				double exit_ms = (clock_ns(CLOCK_MONOTONIC) - t0) / 1e6;
				int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
				printf("ready_ms=%.1f exit_ms=%.1f maxrss_kb=%ld rc=%d\n", ready_ms, exit_ms,
				       ru.ru_maxrss, rc);
				return ready_ms >= 0 ? 0 : 1;
			}
			usleep(1000);
			continue;
		}
		struct pollfd p = { .fd = master, .events = POLLIN };
		int n = poll(&p, 1, 20);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			continue;
		char buf[4096];
		ssize_t got = read(master, buf, sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {  /* EIO: every holder of the terminal closed it */
			eof = 1;
			continue;
		}
		double now_ms = (clock_ns(CLOCK_MONOTONIC) - t0) / 1e6;
		if (log_fd >= 0 && write(log_fd, buf, (size_t)got) < 0)
			die("write log");
		for (ssize_t i = 0; i < got && ready_ms < 0; i++) {
			if (used < sizeof(line) - 1)
				line[used++] = buf[i];
			line[used] = 0;
			if (strstr(line, pattern)) {
				ready_ms = now_ms;
				if (ready_path) {
					FILE *f = fopen(ready_path, "w");
					if (!f)
						die(ready_path);
					fprintf(f, "ready_ms=%.1f\n", ready_ms);
					fclose(f);
				}
			}
			if (buf[i] == '\n')
				used = 0;
		}
	}
}
