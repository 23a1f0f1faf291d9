"""cocotb + cocotbext-axi test of one exported HADES configuration (a directory written by
`hades-sim --export-testbench`, e.g. testbench/greedy): the trace's rounds go through AxiStreamSource with random
pauses, both outputs are drained by AxiStreamSink with random back-pressure, and every result and emitted token
is compared with the golden vectors (expected_*.hex). The directory is named by HADES_TB_DIR."""
import os
import random
import re
from pathlib import Path

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge, with_timeout
from cocotbext.axi import AxiStreamBus, AxiStreamFrame, AxiStreamSink, AxiStreamSource

VECTORS = Path(os.environ["HADES_TB_DIR"])


def config():
    """The `define values of tb_config.vh."""
    text = (VECTORS / "tb_config.vh").read_text()
    return {m[1]: m[2] for m in re.finditer(r"`define (HADES_TB_\w+)(?: (\S+))?", text)}


def hex_lines(name):
    return [int(line, 16) for line in (VECTORS / name).read_text().split()]


def to_bytes(value, bits):
    return value.to_bytes(bits // 8, "little")


def pauses(seed, probability):
    rng = random.Random(seed)
    while True:
        yield rng.random() < probability


def rows(beats, bits):
    """Frames of whole rows: {tlast, tdata} beats grouped at tlast."""
    frame = bytearray()
    for beat in beats:
        frame += to_bytes(beat & ((1 << bits) - 1), bits)
        if beat >> bits:
            yield bytes(frame)
            frame = bytearray()


@cocotb.test()
async def rounds_match_the_golden_vectors(dut):
    cfg = config()
    cmd_w, logit_w = int(cfg["HADES_TB_CMD_W"]), int(cfg["HADES_TB_LOGIT_W"])
    result_w, token_w = int(cfg["HADES_TB_RESULT_W"]), int(cfg["HADES_TB_TOKEN_W"])
    sampling = "HADES_TB_SAMPLING" in cfg
    rounds = int(cfg["HADES_TB_ROUNDS"])
    expected_results = hex_lines("expected_result.hex")
    expected_tokens = hex_lines("expected_tokens.hex")

    cocotb.start_soon(Clock(dut.aclk, 10, unit="ns").start())
    reset = dict(reset=dut.aresetn, reset_active_level=False)
    cmd = AxiStreamSource(AxiStreamBus.from_prefix(dut, "s_axis_cmd"), dut.aclk, **reset)
    logits = AxiStreamSource(AxiStreamBus.from_prefix(dut, "s_axis_logits"), dut.aclk, **reset)
    result = AxiStreamSink(AxiStreamBus.from_prefix(dut, "m_axis_result"), dut.aclk, **reset)
    tokens = AxiStreamSink(AxiStreamBus.from_prefix(dut, "m_axis_tokens"), dut.aclk, **reset)
    streams = [cmd, logits, result, tokens]
    if sampling:
        draft = AxiStreamSource(AxiStreamBus.from_prefix(dut, "s_axis_draft"), dut.aclk, **reset)
        streams.append(draft)
    for i, s in enumerate(streams):
        s.log.setLevel("WARNING")
        s.set_pause_generator(pauses(i + 1, 0.25))

    dut.aresetn.value = 0
    await ClockCycles(dut.aclk, 4)
    dut.aresetn.value = 1
    for c in hex_lines("cmd.hex"):
        await cmd.send(AxiStreamFrame(to_bytes(c, cmd_w)))
    for row in rows(hex_lines("logits.hex"), logit_w):
        await logits.send(row)
    if sampling:
        for row in rows(hex_lines("draft.hex"), logit_w):
            await draft.send(row)

    tw, gw = int(cfg["HADES_TB_TW"]), int(cfg["HADES_TB_GW"])
    fields = [("token", 0, tw), ("accepted", tw, gw), ("rollback", tw + gw, gw), ("flags", tw + 2 * gw, 6)]
    for r in range(rounds):
        got = int.from_bytes((await with_timeout(result.recv(), 50, "ms")).tdata, "little")
        want = expected_results[r]
        for name, lo, width in fields:
            mask = (1 << width) - 1
            assert (got >> lo) & mask == (want >> lo) & mask, f"FAIL round {r} field {name}: {got:#x} != {want:#x}"
        assert got == want, f"FAIL round {r} field result_padding"
    index = 0
    for r in range(rounds):
        frame = (await with_timeout(tokens.recv(), 50, "ms")).tdata
        step = token_w // 8
        got = [int.from_bytes(frame[i:i + step], "little") for i in range(0, len(frame), step)]
        want = []
        while True:
            beat = expected_tokens[index]
            index += 1
            want.append(beat & ((1 << token_w) - 1))
            if beat >> token_w:
                break
        assert got == want, f"FAIL round {r} field emitted_token: {got} != {want}"
    await ClockCycles(dut.aclk, 64)
    assert result.empty() and tokens.empty(), "FAIL: surplus results or tokens"
    assert dut.committed_len.value == hex_lines("expected_committed.hex")[0], "FAIL field committed_len"
    dut._log.info("PASS %d rounds", rounds)
