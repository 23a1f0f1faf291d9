// Runs a Verilated gate-level testbench (--timing) to $finish, then writes Verilator's toggle counts
// (--coverage-toggle) to the file named by +coverage=<path> (default coverage.dat). +zero_at=<time> clears the
// counts once simulation time reaches <time> (in the time precision, ps), so reset and initialisation are not
// counted.
#include <cstdint>
#include <memory>
#include <string>
#include "verilated.h"
#include "verilated_cov.h"
#include "Vsim.h"  // verilate with --prefix Vsim

int main(int argc, char** argv) {
    const std::unique_ptr<VerilatedContext> contextp{new VerilatedContext};
    contextp->commandArgs(argc, argv);
    const std::unique_ptr<Vsim> topp{new Vsim{contextp.get()}};
    const char* zarg = contextp->commandArgsPlusMatch("zero_at=");
    uint64_t zeroAt = (zarg && *zarg) ? std::stoull(std::string(zarg).substr(9)) : 0;
    bool zeroed = zeroAt == 0;
    while (!contextp->gotFinish()) {
        if (!zeroed && contextp->time() >= zeroAt) {
            contextp->coveragep()->zero();
            zeroed = true;
        }
        topp->eval();
        if (!topp->eventsPending()) break;
        contextp->time(topp->nextTimeSlot());
    }
    if (!contextp->gotFinish()) {
        VL_PRINTF("error: simulation ended without $finish\n");
        return 1;
    }
    topp->final();
    const char* arg = contextp->commandArgsPlusMatch("coverage=");
    const std::string path = (arg && *arg) ? std::string(arg).substr(10) : "coverage.dat";
    contextp->coveragep()->write(path.c_str());
    return 0;
}
