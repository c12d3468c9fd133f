# bash completion for syslat and its tools (syscount, sysslow, syslat-top,
# syslatd, systrace, sysfunc), installed under each name in
# /usr/share/bash-completion/completions/.
# Options come from the tool's own --help (so they follow it), syscall names
# and classes from its syscall table (syslat -l), PIDs from /proc, comm names
# from the running processes.

_syslat_syscalls()
{
    # syslat -l (from the directory of the command typed, if it had one):
    # "NR SYSCALL CLASSES" rows of the native and the i386 tables; the
    # names and the classes, each once.
    local syslat=syslat
    [[ $1 == */* ]] && syslat=${1%/*}/syslat
    "$syslat" -l 2>/dev/null | awk '$1 ~ /^[0-9]+$/ && $2 != "" {
        print $2; n = split($3, c, ","); for (i = 1; i <= n; i++) if (c[i] != "") print c[i] }' | sort -u
}

# -n: the comm names of running processes, as /proc/PID/comm has them (what
# -n matches), spaces and all.
_syslat_comms()
{
    local IFS=$'\n'
    COMPREPLY=($(compgen -W "$(cat /proc/[0-9]*/comm 2>/dev/null | sort -u)" -- "$cur"))
}

# A comma-separated list (-S read,%net,!futex): completes the last element.
_syslat_list()
{
    local words=$1 cur=$2 head="" bang=""
    if [[ $cur == *,* ]]; then
        head=${cur%,*},
        cur=${cur##*,}
    fi
    if [[ $cur == '!'* ]]; then
        bang='!'
        cur=${cur#!}
    fi
    local IFS=$'\n'
    COMPREPLY=($(compgen -P "$head$bang" -W "$words" -- "$cur"))
    compopt -o nospace 2>/dev/null
}

_syslat()
{
    local cur prev words cword split
    _init_completion -s || return

    local cmd=$1 tool=${1##*/} help=--help
    # syslat SUBCOMMAND: that subcommand's options.
    if [[ $tool == syslat ]]; then
        if ((cword == 1)) && [[ $cur != -* ]]; then
            COMPREPLY=($(compgen -W 'count lat slow top serve trace func' -- "$cur"))
            return
        fi
        case ${words[1]} in
            count | lat | slow | top | serve | trace | func)
                help="${words[1]} --help"
                [[ ${words[1]} == trace ]] && tool=systrace
                ;;
        esac
    fi

    if [[ $tool == systrace ]]; then
        case $prev in
            -p) _pids; return ;;
            -o) _filedir; return ;;
            -s) return ;;
            -e)
                # '=' breaks words for readline: what is replaced is the
                # part after it, so the replies leave out trace= / status=.
                if [[ $cur == trace=* ]]; then
                    _syslat_list "$(_syslat_syscalls "$cmd")"$'\n'all$'\n'none "${cur#trace=}"
                elif [[ $cur == status=* ]]; then
                    COMPREPLY=($(compgen -W 'successful failed' -- "${cur#status=}"))
                else
                    COMPREPLY=($(compgen -W 'trace= status=' -- "$cur"))
                    compopt -o nospace 2>/dev/null
                fi
                return
                ;;
        esac
    else
        case $prev in
            -p | --pid | -t | --tid) _pids; return ;;
            -n | --comm) _syslat_comms; return ;;
            -u | --uid) COMPREPLY=($(compgen -u -- "$cur")); return ;;
            -c | --cgroup) _filedir -d; return ;;
            -S | --syscall | --by-syscall) _syslat_list "$(_syslat_syscalls "$cmd")" "$cur"; return ;;
            -o | --output) _filedir; return ;;
            --sort) COMPREPLY=($(compgen -W 'count rate time avg max errors offcpu' -- "$cur")); return ;;
            --backend) COMPREPLY=($(compgen -W 'auto bpf ptrace' -- "$cur")); return ;;
            --format) COMPREPLY=($(compgen -W 'folded pprof' -- "$cur")); return ;;
            --weight) COMPREPLY=($(compgen -W 'time calls' -- "$cur")); return ;;
            --unit)
                COMPREPLY=($(compgen -W "$(systemctl list-units --type=service --no-legend --plain 2>/dev/null |
                    awk '{print $1}')" -- "$cur"))
                return
                ;;
            -e | --errno | -i | --interval | -d | --duration | -T | --top | --threshold | \
                --min-duration | --max-processes | --max-stacks | --listen | --buckets | --kernel)
                return
                ;;
        esac
    fi
    $split && return

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W '$(_parse_help "$cmd" "$help")' -- "$cur"))
        [[ ${COMPREPLY-} == *= ]] && compopt -o nospace
        return
    fi
    # -- CMD ARGS...: complete the command like any other.
    local i
    for ((i = 1; i < cword; i++)); do
        if [[ ${words[i]} == -- ]]; then
            _command_offset $((i + 1))
            return
        fi
    done
} &&
    complete -F _syslat syslat syscount sysslow syslat-top syslatd systrace sysfunc

# ex: filetype=sh
