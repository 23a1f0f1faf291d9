// HADES Verilator shim: the C API of every model library built by VerilatorBridge.
//
// A model library (libhades_model.so) is built from one Verilog design: the Verilated model
// (always prefixed "Vtop") with hades_model.cpp, which includes a small generated port table
// "hades_ports.inc", plus objects built once and cached: the Verilator runtime and hades_shim.cpp
// (this API, design-independent).
//
// Swift loads the library with dlopen(RTLD_NOW | RTLD_LOCAL) and resolves these functions with
// dlsym; nothing links against the library. Every function is safe to call after a simulation
// error: the instance then only reports the (sticky) error.
//
// Values wider than 64 bits travel as arrays of 32-bit words, least significant word first.
// Ports up to 64 bits may use the 64-bit calls; the word calls work for every port.
#ifndef HADES_SHIM_H_
#define HADES_SHIM_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HADES_SHIM_ABI 1

// Status codes returned by eval/tick/stream calls and hades_status().
enum {
    HADES_OK = 0,
    HADES_FINISH = 1,  // the design executed $finish            (sticky)
    HADES_STOP = 2,    // $stop, $fatal, $error or failed assert  (sticky)
    HADES_FATAL = 3,   // Verilator runtime fatal error            (sticky)
    HADES_ERROR = 4,   // C++ exception, bad argument (not sticky unless from inside eval)
    HADES_LIMIT = 5,   // the stream engine hit its cycle limit  (not sticky)
};

typedef struct hades_inst hades_inst;

uint32_t hades_abi_version(void);
int32_t hades_num_ports(void);
// Width of port `id` as compiled (from the generated table); -1 when out of range.
int32_t hades_port_width(int32_t id);
int32_t hades_port_is_input(int32_t id);
int32_t hades_clock_id(void);
// 1 when the library was built with --trace-fst.
int32_t hades_trace_capable(void);

// Create an instance (its own VerilatedContext). On failure returns NULL and writes a message
// into err (if err_len > 0).
hades_inst* hades_create(char* err, uint64_t err_len);
void hades_destroy(hades_inst* inst);

// Status (HADES_*) and the message of the last error ("" when none). The pointer stays valid
// until the next call on this instance.
int32_t hades_status(hades_inst* inst);
const char* hades_last_error(hades_inst* inst);
// Number of full clock cycles run so far (tick and the stream engine).
uint64_t hades_cycle(hades_inst* inst);

// Port access. No bounds or width checks here beyond masking to the port width: Swift checks.
void hades_poke64(hades_inst* inst, int32_t id, uint64_t value);
uint64_t hades_peek64(hades_inst* inst, int32_t id);
void hades_poke_words(hades_inst* inst, int32_t id, const uint32_t* words, uint32_t n_words);
void hades_peek_words(hades_inst* inst, int32_t id, uint32_t* words, uint32_t n_words);

// eval(): settle the model with the current inputs (no clock change).
int32_t hades_eval(hades_inst* inst);
// tick(n): n full cycles on the clock port: clk=0, eval, clk=1, eval. Stops at the first error.
int32_t hades_tick(hades_inst* inst, uint64_t n);

// FST waves (only in a trace-capable build). Open starts dumping at the current time.
int32_t hades_trace_open(hades_inst* inst, const char* path);
void hades_trace_close(hades_inst* inst);

// ---- AXI4-Stream engine -------------------------------------------------------------------
// Configure streams, then run. Input buffers are copied. A beat of a stream is the
// concatenation of its data ports, each taking ceil(width/32) words, in the given order.
void hades_streams_clear(hades_inst* inst);
// Returns the source's index, or -1 (message in hades_last_error). last_id = -1: no last port.
// lasts: one byte per beat, or NULL (then last is raised on the final beat only).
// gap_prob: probability that valid is NOT offered on a cycle where a beat is pending and valid is
// not already up. Once valid is up it stays up until the handshake.
int32_t hades_streams_add_source(hades_inst* inst, int32_t valid_id, int32_t ready_id,
                                 int32_t last_id, const int32_t* data_ids, int32_t n_data,
                                 const uint32_t* beats, uint64_t n_beats, const uint8_t* lasts,
                                 double gap_prob, uint64_t seed);
// ready_prob: probability that ready is raised on a cycle. Beats beyond `expected` are counted
// in hades_streams_sink_extra, not captured.
int32_t hades_streams_add_sink(hades_inst* inst, int32_t valid_id, int32_t ready_id,
                               int32_t last_id, const int32_t* data_ids, int32_t n_data,
                               uint64_t expected, double ready_prob, uint64_t seed);
// Runs until all sources are drained and all sinks have their expected beats, or until
// max_cycles cycles have run (HADES_LIMIT). Drives valid/ready low before returning.
int32_t hades_streams_run(hades_inst* inst, uint64_t max_cycles, uint64_t* cycles_run);
uint64_t hades_streams_source_sent(hades_inst* inst, int32_t idx);
void hades_streams_source_handshakes(hades_inst* inst, int32_t idx, uint64_t* out);
uint64_t hades_streams_sink_count(hades_inst* inst, int32_t idx);
uint64_t hades_streams_sink_extra(hades_inst* inst, int32_t idx);
void hades_streams_sink_beats(hades_inst* inst, int32_t idx, uint32_t* out);
void hades_streams_sink_lasts(hades_inst* inst, int32_t idx, uint8_t* out);
void hades_streams_sink_handshakes(hades_inst* inst, int32_t idx, uint64_t* out);

#ifdef __cplusplus
}
#endif

#endif  // HADES_SHIM_H_
