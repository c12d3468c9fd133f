/* floor_loader: attaches empty programs from floor.bpf.c to the raw_syscalls
 * tracepoints and holds them until SIGINT/SIGTERM, so scripts/bench.sh can
 * measure the cost of being attached at all (the "floor" of docs/performance.md).
 *
 *   floor_loader [--btf | --classic | --raw] [--exit-only] [--clock] [--switch]
 *
 * Once everything is attached it prints one line to stderr that starts with
 * "Tracing" (the same ready signal the syslat tools give). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "floor.skel.h"

enum variant { VARIANT_BTF, VARIANT_CLASSIC, VARIANT_RAW };

static const char *const variant_names[] = { "tp_btf", "tracepoint", "raw_tp" };

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--btf | --classic | --raw] [--exit-only] [--clock] [--switch] [--verbose]\n"
		"  --btf        tp_btf/sys_enter + tp_btf/sys_exit (default)\n"
		"  --classic    tracepoint/raw_syscalls/sys_enter + sys_exit\n"
		"  --raw        raw_tp/sys_enter + raw_tp/sys_exit\n"
		"  --exit-only  only the sys_exit program of the chosen variant\n"
		"  --clock      tp_btf pair that reads bpf_ktime_get_ns() once in each\n"
		"  --switch     an empty tp_btf/sched_switch program besides\n",
		prog);
}

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, args);
}

/* Keep only the programs of the chosen variant; everything else stays unloaded. */
static void select_programs(struct floor *skel, enum variant variant, bool exit_only, bool clock,
			    bool on_switch)
{
	struct bpf_program *enter[] = { skel->progs.floor_btf_enter, skel->progs.floor_tp_enter,
					skel->progs.floor_raw_enter };
	struct bpf_program *exit_[] = { skel->progs.floor_btf_exit, skel->progs.floor_tp_exit,
					skel->progs.floor_raw_exit };

	for (int v = 0; v < 3; v++) {
		bpf_program__set_autoload(enter[v], !clock && v == (int)variant && !exit_only);
		bpf_program__set_autoload(exit_[v], !clock && v == (int)variant);
	}
	bpf_program__set_autoload(skel->progs.floor_btf_enter_clock, clock && !exit_only);
	bpf_program__set_autoload(skel->progs.floor_btf_exit_clock, clock);
	bpf_program__set_autoload(skel->progs.floor_btf_switch, on_switch);
}

static int wait_for_stop_signal(void)
{
	sigset_t set;
	int sig = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	return sigwait(&set, &sig) ? -1 : sig;
}

int main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "btf", no_argument, NULL, 'b' },     { "classic", no_argument, NULL, 'c' },
		{ "raw", no_argument, NULL, 'r' },     { "exit-only", no_argument, NULL, 'x' },
		{ "verbose", no_argument, NULL, 'v' }, { "help", no_argument, NULL, 'h' },
		{ "clock", no_argument, NULL, 'k' },   { "switch", no_argument, NULL, 's' },
		{},
	};
	enum variant variant = VARIANT_BTF;
	bool exit_only = false, verbose = false, clock = false, on_switch = false;
	struct floor *skel;
	sigset_t stop_signals;
	int opt, err;

	while ((opt = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'b': variant = VARIANT_BTF; break;
		case 'c': variant = VARIANT_CLASSIC; break;
		case 'r': variant = VARIANT_RAW; break;
		case 'x': exit_only = true; break;
		case 'k': clock = true; variant = VARIANT_BTF; break;
		case 's': on_switch = true; break;
		case 'v': verbose = true; break;
		default: usage(argv[0]); return opt == 'h' ? 0 : 2;
		}
	}
	if (optind != argc) {
		usage(argv[0]);
		return 2;
	}
	if (!verbose)
		libbpf_set_print(quiet_print);

	/* Block the stop signals before attaching so none is lost in between;
	 * sigwait() collects them afterwards. Blocked signals are queued even
	 * when ignored, as a non-interactive shell's background jobs have them. */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop_signals, NULL);

	skel = floor__open();
	if (!skel) {
		fprintf(stderr, "floor_loader: cannot open BPF object: %s\n", strerror(errno));
		return 1;
	}
	select_programs(skel, variant, exit_only, clock, on_switch);
	err = floor__load(skel);
	if (!err)
		err = floor__attach(skel);
	if (err) {
		fprintf(stderr, "floor_loader: cannot load/attach %s programs: %s\n",
			variant_names[variant], strerror(-err));
		floor__destroy(skel);
		return 1;
	}
	fprintf(stderr, "Tracing: %s %s %s%s attached (floor); Ctrl-C to detach\n",
		clock ? "clock-reading" : "empty", variant_names[variant],
		exit_only ? "sys_exit" : "sys_enter+sys_exit", on_switch ? " + empty sched_switch" : "");

	int sig = wait_for_stop_signal();
	floor__destroy(skel);
	fprintf(stderr, "floor_loader: detached (%s)\n", sig > 0 ? strsignal(sig) : "error");
	return 0;
}
