# Sourced by the test scripts. `require_packages COMMAND=PACKAGE ...`: the Debian packages of the
# commands missing from PATH are installed with apt-get, through sudo when not root, only after
# a yes on the terminal; in CI ($CI set) without asking (and sudo never prompts there); with no
# terminal to ask on, nothing is installed and the command to run is printed.
require_packages() {
    local missing=() pair
    for pair in "$@"; do
        command -v "${pair%%=*}" >/dev/null 2>&1 || missing+=("${pair#*=}")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo)
    local run="${sudo[*]:+sudo }apt-get"
    local command="$run update && $run install -y ${missing[*]}"
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "the tests need ${missing[*]} (Debian's names): install them, then run again" >&2
        return 1
    elif [ -n "${CI:-}" ]; then
        [ ${#sudo[@]} -eq 0 ] || sudo=(sudo -n)
    elif [ -t 0 ]; then
        local answer
        read -r -p "The tests need ${missing[*]}. Run '$command' now? [y/N] " answer
        case "$answer" in
            [yY]*) ;;
            *) echo "nothing installed; run '$command', then run again" >&2; return 1 ;;
        esac
    else
        echo "the tests need ${missing[*]}: run '$command', then run again" >&2
        return 1
    fi
    echo "installing ${missing[*]} (apt-get)..." >&2
    "${sudo[@]}" apt-get update -qq
    # Through env: sudo drops the caller's environment.
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq "${missing[@]}" >/dev/null
}
