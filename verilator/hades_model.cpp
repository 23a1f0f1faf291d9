// HADES Verilator shim: per-design glue between the Verilated model "Vtop" and hades_shim.cpp.
//
// Compiled with each design, next to the generated port table "hades_ports.inc":
//     #define HADES_NUM_PORTS N
//     #define HADES_CLOCK_ID  k          (-1 when the design has no clock)
//     HADES_PORT(id, member, width, is_input)   one line per port, ids 0..N-1 in order
#include "Vtop.h"
#include "verilated.h"
#if VM_TRACE
#include "verilated_fst_c.h"
#endif
#include "hades_glue.h"

#define HADES_PORT(id, member, width, is_input)
#include "hades_ports.inc"
#undef HADES_PORT

#ifndef HADES_NUM_PORTS
#error "hades_ports.inc must define HADES_NUM_PORTS"
#endif
#ifndef HADES_CLOCK_ID
#error "hades_ports.inc must define HADES_CLOCK_ID"
#endif

namespace hades {
namespace {

// Every port's width is checked against the size of its Verilated member (CData/SData/IData/QData/
// VlWide<N>); Swift also checks the exact declared range in Vtop.h before compiling this.
#define HADES_PORT(id, member, width, is_input)                                                  \
    static_assert(sizeof(Vtop::member) == bytesFor(width),                                       \
                  "HADES: port '" #member "' is not " #width " bits wide in the Verilated model");
#include "hades_ports.inc"
#undef HADES_PORT

const PortMeta kPorts[HADES_NUM_PORTS + 1] = {
#define HADES_PORT(id, member, width, is_input) {id, width, (is_input) != 0, #member},
#include "hades_ports.inc"
#undef HADES_PORT
    {-1, 0, false, ""}};

void* create(VerilatedContext* context) { return new Vtop(context, "TOP"); }

void bindPorts(void* topp, void** ports) {
    Vtop* top = static_cast<Vtop*>(topp);
    (void)top;
    (void)ports;
#define HADES_PORT(id, member, width, is_input) ports[id] = static_cast<void*>(&top->member);
#include "hades_ports.inc"
#undef HADES_PORT
}

void eval(void* top) { static_cast<Vtop*>(top)->eval(); }
void finalize(void* top) { static_cast<Vtop*>(top)->final(); }
void destroy(void* top) { delete static_cast<Vtop*>(top); }

#if VM_TRACE
void trace(void* top, VerilatedFstC* tfp, int levels) { static_cast<Vtop*>(top)->trace(tfp, levels); }
#endif

}  // namespace

extern const ModelOps modelOps = {
    HADES_NUM_PORTS, kPorts, HADES_CLOCK_ID, VM_TRACE != 0, create, bindPorts, eval, finalize, destroy,
#if VM_TRACE
    trace,
#else
    nullptr,
#endif
};

}  // namespace hades
