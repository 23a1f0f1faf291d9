// HADES Verilator shim: implementation of hades_shim.h (design-independent part).
//
// Compiled once per tracing variant (VM_TRACE 0/1), cached with the Verilator runtime, and linked
// into every model library together with hades_model.cpp, which connects it to the design's Verilated
// model through hades::modelOps (hades_glue.h). Everything here has hidden visibility except the
// extern "C" API (HADES_API).
//
// Simulation control: the runtime is compiled with VL_USER_FINISH / VL_USER_STOP / VL_USER_FATAL,
// so the vl_finish / vl_stop / vl_fatal below replace Verilator's (which exit or abort). $finish and
// $stop (also $fatal and $error, which Verilator lowers to a message + $stop) record a sticky status
// and let the current eval complete, like Verilator's own vl_finish does. vl_fatal (runtime errors
// such as "region did not converge", whose callers do not expect it to return) throws a C++
// exception that is caught at the extern "C" boundary. The host process is never ended.
#include "hades_shim.h"

#include "hades_glue.h"
#include "verilated.h"
#if VM_TRACE
#include "verilated_fst_c.h"
#endif

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#define HADES_API extern "C" __attribute__((visibility("default")))

using hades::bytesFor;
using hades::modelOps;

namespace {

constexpr uint64_t mask64(int width) { return width >= 64 ? ~0ULL : ((1ULL << width) - 1ULL); }

// Raised by vl_fatal; caught at the API boundary.
struct HadesAbort {};

// splitmix64: small, fast, deterministic.
struct SplitMix64 {
    uint64_t state;
    uint64_t next() {
        uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
};

// An event of probability p: never / always / next() < threshold.
struct Chance {
    bool always = true;
    bool never = false;
    uint64_t threshold = 0;
    static Chance of(double p) {
        Chance c;
        c.always = !(p < 1.0);
        c.never = !(p > 0.0);  // also catches NaN
        if (!c.always && !c.never) c.threshold = (uint64_t)(p * 18446744073709551616.0);
        return c;
    }
    bool draw(SplitMix64& rng) const {
        if (always) return true;
        if (never) return false;
        return rng.next() < threshold;
    }
};

struct Source {
    int valid, ready, last;
    std::vector<int> data;
    std::vector<uint32_t> dataWords;  // words per data port
    uint32_t beatWords = 0;
    std::vector<uint32_t> beats;
    std::vector<uint8_t> lasts;
    uint64_t nBeats = 0;
    Chance gap;
    SplitMix64 rng;
    uint64_t sent = 0;
    bool offering = false;
    std::vector<uint64_t> handshakes;
};

struct Sink {
    int valid, ready, last;
    std::vector<int> data;
    std::vector<uint32_t> dataWords;
    uint32_t beatWords = 0;
    uint64_t expected = 0;
    Chance readyChance;
    SplitMix64 rng;
    bool readyNow = false;
    uint64_t count = 0;
    uint64_t extra = 0;
    std::vector<uint32_t> captured;
    std::vector<uint8_t> lasts;
    std::vector<uint64_t> handshakes;
};

}  // namespace

struct hades_inst {
    VerilatedContext* ctx = nullptr;
    void* top = nullptr;  // the Vtop, driven through hades::modelOps
    std::vector<void*> ports;
    uint8_t* clk = nullptr;
    int32_t status = HADES_OK;
    bool dead = false;  // a sticky status was raised
    std::string message;
    std::string outputTail;  // recent console output of this instance
    uint64_t cycle = 0;
#if VM_TRACE
    VerilatedFstC* tfp = nullptr;
#endif
    std::vector<Source> sources;
    std::vector<Sink> sinks;
};

namespace {

thread_local hades_inst* t_current = nullptr;  // instance being evaluated on this thread
thread_local std::string t_orphanMessage;      // errors raised with no current instance

struct CurrentGuard {
    hades_inst* prev;
    explicit CurrentGuard(hades_inst* s) : prev(t_current) { t_current = s; }
    ~CurrentGuard() { t_current = prev; }
};

std::string location(const char* filename, int linenum) {
    if (!filename || !filename[0]) return std::string();
    return std::string(" at ") + filename + ":" + std::to_string(linenum);
}

std::string recentOutput(const hades_inst* s) {
    if (s->outputTail.empty()) return std::string();
    const size_t keep = 1500;
    std::string t = s->outputTail.size() > keep ? s->outputTail.substr(s->outputTail.size() - keep)
                                                : s->outputTail;
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
    return "\nrecent simulation output:\n" + t;
}

// Records a sticky status; the first one wins.
void raise(hades_inst* s, int32_t status, const std::string& what) {
    if (!s) {
        if (t_orphanMessage.empty()) t_orphanMessage = what;
        return;
    }
    if (s->dead) return;
    s->dead = true;
    s->status = status;
    s->message = what + " (cycle " + std::to_string(s->cycle) + ")" + recentOutput(s);
}

void setError(hades_inst* s, const std::string& what) {
    if (s->dead) return;
    s->status = HADES_ERROR;
    s->message = what;
}

// Runs `body` with this instance current, converting exceptions into a status.
template <typename F>
int32_t guarded(hades_inst* s, F body) {
    if (s->dead) return s->status;
    s->status = HADES_OK;
    s->message.clear();
    CurrentGuard guard(s);
    try {
        body();
    } catch (const HadesAbort&) {
        // status recorded by vl_fatal
    } catch (const std::exception& e) {
        raise(s, HADES_ERROR, std::string("C++ exception during simulation: ") + e.what());
    } catch (...) {
        raise(s, HADES_ERROR, "C++ exception of unknown type during simulation");
    }
    return s->status;
}

// ---- port access -----------------------------------------------------------------------------

inline void writeWords(hades_inst* s, int id, const uint32_t* w, uint32_t n) {
    const int width = modelOps.ports[id].width;
    void* p = s->ports[id];
    if (width <= 64) {
        uint64_t v = (n > 0 ? (uint64_t)w[0] : 0) | (n > 1 ? ((uint64_t)w[1] << 32) : 0);
        v &= mask64(width);
        switch (bytesFor(width)) {
        case 1: *(uint8_t*)p = (uint8_t)v; break;
        case 2: *(uint16_t*)p = (uint16_t)v; break;
        case 4: *(uint32_t*)p = (uint32_t)v; break;
        default: *(uint64_t*)p = v; break;
        }
    } else {
        uint32_t* d = (uint32_t*)p;
        const int nw = (width + 31) / 32;
        for (int i = 0; i < nw; ++i) d[i] = (uint32_t)i < n ? w[i] : 0;
        const int top = width - 32 * (nw - 1);
        if (top < 32) d[nw - 1] &= (1U << top) - 1U;
    }
}

inline void readWords(const hades_inst* s, int id, uint32_t* w, uint32_t n) {
    const int width = modelOps.ports[id].width;
    const void* p = s->ports[id];
    if (width <= 64) {
        uint64_t v;
        switch (bytesFor(width)) {
        case 1: v = *(const uint8_t*)p; break;
        case 2: v = *(const uint16_t*)p; break;
        case 4: v = *(const uint32_t*)p; break;
        default: v = *(const uint64_t*)p; break;
        }
        if (n > 0) w[0] = (uint32_t)v;
        if (n > 1) w[1] = (uint32_t)(v >> 32);
        for (uint32_t i = 2; i < n; ++i) w[i] = 0;
    } else {
        const uint32_t* d = (const uint32_t*)p;
        const uint32_t nw = (uint32_t)(width + 31) / 32;
        for (uint32_t i = 0; i < n; ++i) w[i] = i < nw ? d[i] : 0;
    }
}

inline void write64(hades_inst* s, int id, uint64_t v) {
    const uint32_t w[2] = {(uint32_t)v, (uint32_t)(v >> 32)};
    writeWords(s, id, w, 2);
}

inline uint64_t read64(const hades_inst* s, int id) {
    uint32_t w[2];
    readWords(s, id, w, 2);
    return (uint64_t)w[0] | ((uint64_t)w[1] << 32);
}

// ---- clocking ----------------------------------------------------------------------------------

// One half cycle: set the clock, eval, dump waves, advance time. False when the design stopped.
inline bool halfCycle(hades_inst* s, uint8_t clock) {
    *s->clk = clock;
    modelOps.eval(s->top);
#if VM_TRACE
    if (s->tfp) s->tfp->dump(s->ctx->time());
#endif
    s->ctx->timeInc(1);
    return !s->dead;
}

bool validPortId(int32_t id) { return id >= 0 && id < modelOps.numPorts; }

}  // namespace

// ---- Verilator user hooks (VL_USER_FINISH / VL_USER_STOP / VL_USER_FATAL, VL_PRINTF) ------------

void vl_finish(const char* filename, int linenum, const char* hier) VL_MT_UNSAFE {
    (void)hier;
    raise(t_current, HADES_FINISH, "Verilog $finish" + location(filename, linenum));
}

void vl_stop(const char* filename, int linenum, const char* hier) VL_MT_UNSAFE {
    (void)hier;
    raise(t_current, HADES_STOP,
          "Verilog $stop ($stop, $fatal, $error or a failed assertion)" + location(filename, linenum));
}

void vl_fatal(const char* filename, int linenum, const char* hier, const char* msg) VL_MT_UNSAFE {
    (void)hier;
    raise(t_current, HADES_FATAL,
          std::string("Verilator fatal error") + location(filename, linenum) + ": " + (msg ? msg : ""));
    throw HadesAbort();
}

void hades_vl_printf(const char* formatp, ...) {
    char small[512];
    va_list ap;
    va_start(ap, formatp);
    va_list aq;
    va_copy(aq, ap);
    const int len = vsnprintf(small, sizeof small, formatp, ap);
    va_end(ap);
    std::string text;
    if (len >= (int)sizeof small) {
        text.resize((size_t)len + 1);
        vsnprintf(&text[0], text.size(), formatp, aq);
        text.resize((size_t)len);
    } else if (len > 0) {
        text.assign(small, (size_t)len);
    }
    va_end(aq);
    fwrite(text.data(), 1, text.size(), stdout);
    fflush(stdout);
    if (hades_inst* s = t_current) {
        s->outputTail += text;
        if (s->outputTail.size() > 8192) s->outputTail.erase(0, s->outputTail.size() - 4096);
    }
}

// ---- C API ---------------------------------------------------------------------------------------

HADES_API uint32_t hades_abi_version(void) { return HADES_SHIM_ABI; }
HADES_API int32_t hades_num_ports(void) { return modelOps.numPorts; }
HADES_API int32_t hades_port_width(int32_t id) { return validPortId(id) ? modelOps.ports[id].width : -1; }
HADES_API int32_t hades_port_is_input(int32_t id) { return validPortId(id) ? modelOps.ports[id].isInput : -1; }
HADES_API int32_t hades_clock_id(void) { return modelOps.clockId; }
HADES_API int32_t hades_trace_capable(void) { return VM_TRACE && modelOps.traceCapable && modelOps.trace ? 1 : 0; }

HADES_API hades_inst* hades_create(char* err, uint64_t err_len) {
    std::string failure;
    hades_inst* s = new (std::nothrow) hades_inst();
    if (!s) {
        failure = "out of memory";
    } else {
        t_orphanMessage.clear();
        CurrentGuard guard(s);
        try {
            for (int i = 0; i < modelOps.numPorts; ++i) {
                if (modelOps.ports[i].id != i) throw std::runtime_error("hades_ports.inc: port ids out of order");
            }
            if (modelOps.traceCapable != (VM_TRACE != 0))
                throw std::runtime_error("the model and the shim disagree about tracing (--trace-fst)");
            s->ctx = new VerilatedContext;
#if VM_TRACE
            s->ctx->traceEverOn(true);
#endif
            s->top = modelOps.create(s->ctx);
            s->ports.assign((size_t)modelOps.numPorts + 1, nullptr);
            modelOps.bindPorts(s->top, s->ports.data());
            if (modelOps.clockId >= 0) s->clk = (uint8_t*)s->ports[modelOps.clockId];
        } catch (const HadesAbort&) {
            failure = s->message;
        } catch (const std::exception& e) {
            failure = e.what();
        } catch (...) {
            failure = "unknown C++ exception";
        }
        if (failure.empty() && s->dead) failure = s->message;
        if (!failure.empty()) {
            if (s->top) modelOps.destroy(s->top);
            delete s->ctx;
            delete s;
            s = nullptr;
        }
    }
    if (!failure.empty() && err && err_len > 0) {
        snprintf(err, (size_t)err_len, "%s", failure.c_str());
    }
    return s;
}

HADES_API void hades_destroy(hades_inst* s) {
    if (!s) return;
    {
        CurrentGuard guard(s);
        try {
#if VM_TRACE
            if (s->tfp) {
                s->tfp->close();
                delete s->tfp;
                s->tfp = nullptr;
            }
#endif
            if (!s->dead) modelOps.final(s->top);
        } catch (...) {
        }
        try {
            modelOps.destroy(s->top);
            delete s->ctx;
        } catch (...) {
        }
    }
    delete s;
}

HADES_API int32_t hades_status(hades_inst* s) { return s->status; }
HADES_API const char* hades_last_error(hades_inst* s) { return s->message.c_str(); }
HADES_API uint64_t hades_cycle(hades_inst* s) { return s->cycle; }

HADES_API void hades_poke64(hades_inst* s, int32_t id, uint64_t value) {
    if (validPortId(id)) write64(s, id, value);
}
HADES_API uint64_t hades_peek64(hades_inst* s, int32_t id) {
    return validPortId(id) ? read64(s, id) : 0;
}
HADES_API void hades_poke_words(hades_inst* s, int32_t id, const uint32_t* words, uint32_t n) {
    if (validPortId(id)) writeWords(s, id, words, n);
}
HADES_API void hades_peek_words(hades_inst* s, int32_t id, uint32_t* words, uint32_t n) {
    if (validPortId(id)) readWords(s, id, words, n);
}

HADES_API int32_t hades_eval(hades_inst* s) {
    return guarded(s, [&] { modelOps.eval(s->top); });
}

HADES_API int32_t hades_tick(hades_inst* s, uint64_t n) {
    if (!s->clk) {
        if (s->dead) return s->status;
        setError(s, "the design has no clock port: tick is not available");
        return s->status;
    }
    return guarded(s, [&] {
        for (uint64_t i = 0; i < n; ++i) {
            if (!halfCycle(s, 0)) return;
            if (!halfCycle(s, 1)) return;
            ++s->cycle;
        }
    });
}

HADES_API int32_t hades_trace_open(hades_inst* s, const char* path) {
#if VM_TRACE
    if (s->dead) return s->status;
    return guarded(s, [&] {
        if (s->tfp) {
            s->tfp->close();
            delete s->tfp;
            s->tfp = nullptr;
        }
        VerilatedFstC* tfp = new VerilatedFstC;
        modelOps.trace(s->top, tfp, 99);
        tfp->open(path);
        if (!tfp->isOpen()) {
            delete tfp;
            setError(s, std::string("cannot open FST file ") + path);
            return;
        }
        s->tfp = tfp;
    });
#else
    (void)path;
    if (s->dead) return s->status;
    setError(s, "this model was built without waves support (build it with waves: true)");
    return s->status;
#endif
}

HADES_API void hades_trace_close(hades_inst* s) {
#if VM_TRACE
    CurrentGuard guard(s);
    try {
        if (s->tfp) {
            s->tfp->close();
            delete s->tfp;
            s->tfp = nullptr;
        }
    } catch (...) {
    }
#else
    (void)s;
#endif
}

// ---- stream engine -------------------------------------------------------------------------------

namespace {

bool checkStreamPorts(hades_inst* s, const char* kind, int32_t valid_id, int32_t ready_id,
                      int32_t last_id, const int32_t* data_ids, int32_t n_data, bool source,
                      std::vector<int>& data, std::vector<uint32_t>& dataWords, uint32_t& beatWords) {
    auto fail = [&](const std::string& why) {
        setError(s, std::string("stream ") + kind + ": " + why);
        return false;
    };
    // A source drives valid/data/last and reads ready; a sink the other way round.
    auto check = [&](int32_t id, const char* role, bool mustBeInput, bool oneBit) {
        if (!validPortId(id)) return fail(std::string(role) + " port id " + std::to_string(id) + " out of range");
        if (modelOps.ports[id].isInput != mustBeInput)
            return fail(std::string(role) + " port '" + modelOps.ports[id].name + "' must be an " +
                        (mustBeInput ? "input" : "output") + " of the design");
        if (oneBit && modelOps.ports[id].width != 1)
            return fail(std::string(role) + " port '" + modelOps.ports[id].name + "' must be 1 bit wide");
        return true;
    };
    if (!check(valid_id, "valid", source, true)) return false;
    if (!check(ready_id, "ready", !source, true)) return false;
    if (last_id >= 0 && !check(last_id, "last", source, true)) return false;
    if (n_data < 0 || (n_data > 0 && !data_ids)) return fail("bad data port list");
    beatWords = 0;
    for (int32_t i = 0; i < n_data; ++i) {
        if (!check(data_ids[i], "data", source, false)) return false;
        data.push_back(data_ids[i]);
        const uint32_t w = (uint32_t)(modelOps.ports[data_ids[i]].width + 31) / 32;
        dataWords.push_back(w);
        beatWords += w;
    }
    return true;
}

}  // namespace

HADES_API void hades_streams_clear(hades_inst* s) {
    s->sources.clear();
    s->sinks.clear();
}

HADES_API int32_t hades_streams_add_source(hades_inst* s, int32_t valid_id, int32_t ready_id,
                                           int32_t last_id, const int32_t* data_ids, int32_t n_data,
                                           const uint32_t* beats, uint64_t n_beats,
                                           const uint8_t* lasts, double gap_prob, uint64_t seed) {
    try {
        Source src;
        if (!checkStreamPorts(s, "source", valid_id, ready_id, last_id, data_ids, n_data, true,
                              src.data, src.dataWords, src.beatWords))
            return -1;
        src.valid = valid_id;
        src.ready = ready_id;
        src.last = last_id;
        src.nBeats = n_beats;
        if (n_beats > 0 && src.beatWords > 0) {
            if (!beats) {
                setError(s, "stream source: no beat buffer");
                return -1;
            }
            src.beats.assign(beats, beats + n_beats * src.beatWords);
        }
        src.lasts.assign(n_beats, 0);
        if (lasts) {
            for (uint64_t i = 0; i < n_beats; ++i) src.lasts[i] = lasts[i] ? 1 : 0;
        } else if (n_beats > 0) {
            src.lasts[n_beats - 1] = 1;
        }
        src.gap = Chance::of(gap_prob);
        src.rng.state = seed;
        src.handshakes.reserve(n_beats);
        s->sources.push_back(std::move(src));
        return (int32_t)s->sources.size() - 1;
    } catch (const std::exception& e) {
        setError(s, std::string("stream source: ") + e.what());
        return -1;
    }
}

HADES_API int32_t hades_streams_add_sink(hades_inst* s, int32_t valid_id, int32_t ready_id,
                                         int32_t last_id, const int32_t* data_ids, int32_t n_data,
                                         uint64_t expected, double ready_prob, uint64_t seed) {
    try {
        Sink snk;
        if (!checkStreamPorts(s, "sink", valid_id, ready_id, last_id, data_ids, n_data, false,
                              snk.data, snk.dataWords, snk.beatWords))
            return -1;
        snk.valid = valid_id;
        snk.ready = ready_id;
        snk.last = last_id;
        snk.expected = expected;
        snk.readyChance = Chance::of(ready_prob);
        snk.rng.state = seed;
        snk.captured.assign(expected * snk.beatWords, 0);
        snk.lasts.assign(expected, 0);
        snk.handshakes.reserve(expected);
        s->sinks.push_back(std::move(snk));
        return (int32_t)s->sinks.size() - 1;
    } catch (const std::exception& e) {
        setError(s, std::string("stream sink: ") + e.what());
        return -1;
    }
}

HADES_API int32_t hades_streams_run(hades_inst* s, uint64_t max_cycles, uint64_t* cycles_run) {
    uint64_t ran = 0;
    if (!s->clk) {
        if (cycles_run) *cycles_run = 0;
        if (s->dead) return s->status;
        setError(s, "the design has no clock port: the stream engine is not available");
        return s->status;
    }
    for (Source& src : s->sources) {
        src.sent = 0;
        src.offering = false;
        src.handshakes.clear();
    }
    for (Sink& snk : s->sinks) {
        snk.count = 0;
        snk.extra = 0;
        snk.readyNow = false;
        snk.handshakes.clear();
    }
    bool limitHit = false;
    const int32_t st = guarded(s, [&] {
        for (;;) {
            bool done = true;
            for (const Source& src : s->sources) done = done && src.sent == src.nBeats;
            for (const Sink& snk : s->sinks) done = done && snk.count >= snk.expected;
            if (done) break;
            if (ran >= max_cycles) {
                limitHit = true;
                break;
            }
            // Drive the inputs for this cycle (before the rising edge).
            for (Source& src : s->sources) {
                if (src.sent < src.nBeats) {
                    if (!src.offering) {
                        src.offering = !src.gap.draw(src.rng);
                        if (src.offering) {
                            const uint32_t* beat = src.beats.data() + src.sent * src.beatWords;
                            for (size_t i = 0; i < src.data.size(); ++i) {
                                writeWords(s, src.data[i], beat, src.dataWords[i]);
                                beat += src.dataWords[i];
                            }
                            if (src.last >= 0) write64(s, src.last, src.lasts[src.sent]);
                        }
                    }
                    write64(s, src.valid, src.offering ? 1 : 0);
                } else {
                    write64(s, src.valid, 0);
                }
            }
            for (Sink& snk : s->sinks) {
                snk.readyNow = snk.readyChance.draw(snk.rng);
                write64(s, snk.ready, snk.readyNow ? 1 : 0);
            }
            if (!halfCycle(s, 0)) return;
            // Sample the handshakes as the rising edge sees them.
            for (Source& src : s->sources) {
                if (src.offering && read64(s, src.ready)) {
                    src.handshakes.push_back(s->cycle);
                    ++src.sent;
                    src.offering = false;
                }
            }
            for (Sink& snk : s->sinks) {
                if (snk.readyNow && read64(s, snk.valid)) {
                    if (snk.count < snk.expected) {
                        uint32_t* out = snk.captured.data() + snk.count * snk.beatWords;
                        for (size_t i = 0; i < snk.data.size(); ++i) {
                            readWords(s, snk.data[i], out, snk.dataWords[i]);
                            out += snk.dataWords[i];
                        }
                        if (snk.last >= 0) snk.lasts[snk.count] = (uint8_t)read64(s, snk.last);
                        snk.handshakes.push_back(s->cycle);
                        ++snk.count;
                    } else {
                        ++snk.extra;
                    }
                }
            }
            if (!halfCycle(s, 1)) return;
            ++s->cycle;
            ++ran;
        }
        // Leave the streams idle.
        for (Source& src : s->sources) write64(s, src.valid, 0);
        for (Sink& snk : s->sinks) write64(s, snk.ready, 0);
        modelOps.eval(s->top);
    });
    if (cycles_run) *cycles_run = ran;
    if (st != HADES_OK || !limitHit) return st;
    std::string why = "stream engine hit its limit of " + std::to_string(max_cycles) + " cycles:";
    for (size_t i = 0; i < s->sources.size(); ++i)
        why += " source " + std::to_string(i) + " sent " + std::to_string(s->sources[i].sent) + "/" +
               std::to_string(s->sources[i].nBeats) + ";";
    for (size_t i = 0; i < s->sinks.size(); ++i)
        why += " sink " + std::to_string(i) + " got " + std::to_string(s->sinks[i].count) + "/" +
               std::to_string(s->sinks[i].expected) + ";";
    if (!why.empty() && why.back() == ';') why.pop_back();
    s->status = HADES_LIMIT;
    s->message = why;
    return HADES_LIMIT;
}

HADES_API uint64_t hades_streams_source_sent(hades_inst* s, int32_t idx) {
    return idx >= 0 && (size_t)idx < s->sources.size() ? s->sources[idx].sent : 0;
}
HADES_API void hades_streams_source_handshakes(hades_inst* s, int32_t idx, uint64_t* out) {
    if (idx < 0 || (size_t)idx >= s->sources.size()) return;
    const auto& v = s->sources[idx].handshakes;
    if (!v.empty()) memcpy(out, v.data(), v.size() * sizeof(uint64_t));
}
HADES_API uint64_t hades_streams_sink_count(hades_inst* s, int32_t idx) {
    return idx >= 0 && (size_t)idx < s->sinks.size() ? s->sinks[idx].count : 0;
}
HADES_API uint64_t hades_streams_sink_extra(hades_inst* s, int32_t idx) {
    return idx >= 0 && (size_t)idx < s->sinks.size() ? s->sinks[idx].extra : 0;
}
HADES_API void hades_streams_sink_beats(hades_inst* s, int32_t idx, uint32_t* out) {
    if (idx < 0 || (size_t)idx >= s->sinks.size()) return;
    const Sink& k = s->sinks[idx];
    if (k.count > 0 && k.beatWords > 0) memcpy(out, k.captured.data(), k.count * k.beatWords * sizeof(uint32_t));
}
HADES_API void hades_streams_sink_lasts(hades_inst* s, int32_t idx, uint8_t* out) {
    if (idx < 0 || (size_t)idx >= s->sinks.size()) return;
    const Sink& k = s->sinks[idx];
    if (k.count > 0) memcpy(out, k.lasts.data(), k.count);
}
HADES_API void hades_streams_sink_handshakes(hades_inst* s, int32_t idx, uint64_t* out) {
    if (idx < 0 || (size_t)idx >= s->sinks.size()) return;
    const auto& v = s->sinks[idx].handshakes;
    if (!v.empty()) memcpy(out, v.data(), v.size() * sizeof(uint64_t));
}
