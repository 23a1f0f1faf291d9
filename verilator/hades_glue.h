// HADES Verilator shim: the internal interface between the design-independent shim
// (hades_shim.cpp, compiled once and cached) and the per-design glue (hades_model.cpp, compiled
// with each Verilated model). Not part of the C API.
#ifndef HADES_GLUE_H_
#define HADES_GLUE_H_

#include <cstdint>

class VerilatedContext;
class VerilatedFstC;

namespace hades {

// Bytes of the Verilated member for a port of `width` bits: CData, SData, IData, QData, VlWide<N>.
constexpr int bytesFor(int width) {
    return width <= 8 ? 1 : width <= 16 ? 2 : width <= 32 ? 4 : width <= 64 ? 8 : 4 * ((width + 31) / 32);
}

struct PortMeta {
    int id;
    int width;
    bool isInput;
    const char* name;
};

struct ModelOps {
    int numPorts;
    const PortMeta* ports;  // numPorts entries, ids 0..numPorts-1
    int clockId;            // -1: no clock
    bool traceCapable;      // built with --trace-fst
    void* (*create)(VerilatedContext* context);  // a new Vtop
    void (*bindPorts)(void* top, void** ports);  // ports[id] = &top->member
    void (*eval)(void* top);
    void (*final)(void* top);
    void (*destroy)(void* top);
    void (*trace)(void* top, VerilatedFstC* tfp, int levels);  // nullptr unless traceCapable
};

// Defined by hades_model.cpp.
extern const ModelOps modelOps;

}  // namespace hades

#endif  // HADES_GLUE_H_
