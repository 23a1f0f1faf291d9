// HADES Verilator hooks.
//
// Included into the Verilator runtime (verilated.cpp, verilated_threads.cpp, verilated_fst_c.cpp)
// and hades_shim.cpp through -DVL_VERILATED_INCLUDE="hades_hooks.h" (verilated.h includes it before
// it defines VL_PRINTF). It reroutes Verilator's console output (all of it goes through VL_PRINTF in
// the runtime) to the shim, which forwards it to stdout and keeps a tail of it per model instance, so
// that a $fatal / $error message can be put into the error that Swift throws. The Verilated model
// itself never calls VL_PRINTF, so its sources are compiled without this header.
//
// The runtime is also compiled with -DVL_USER_FINISH -DVL_USER_STOP -DVL_USER_FATAL: vl_finish,
// vl_stop and vl_fatal are implemented by hades_shim.cpp and never end the host process.
#ifndef HADES_HOOKS_H_
#define HADES_HOOKS_H_

extern void hades_vl_printf(const char* formatp, ...) __attribute__((format(printf, 1, 2)));
#define VL_PRINTF hades_vl_printf

#endif  // HADES_HOOKS_H_
