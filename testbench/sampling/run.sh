#!/bin/sh
# Compiles and runs this directory's testbench: ./run.sh iverilog|verilator
# Exit 0 only when the testbench printed PASS. Build products go to a temporary directory.
set -u
cd "$(dirname "$0")" || exit 2
sim=${1:-iverilog}
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT
sources=$(ls *.v)
case "$sim" in
    iverilog)
        iverilog -g2005 -Wall -I . -s hades_tb -o "$work/tb.vvp" $sources || exit 2
        vvp -n "$work/tb.vvp" > "$work/log" 2>&1 ;;
    verilator)
        verilator --binary --timing -I. --top-module hades_tb -Mdir "$work/obj" -o tb $sources \
            > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 2; }
        "$work/obj/tb" > "$work/log" 2>&1 ;;
    *)
        echo "usage: $0 iverilog|verilator" >&2; exit 2 ;;
esac
status=$?
cat "$work/log"
if [ $status -eq 0 ] && grep -q '^PASS ' "$work/log" && ! grep -q '^FAIL ' "$work/log"; then exit 0; fi
exit 1
