"""The model stage's engine settings: AVX-512 kernels where CTranslate2 would not pick them."""

from __future__ import annotations

from pathlib import Path

from lgnet.asr import cpu_flags, prefer_avx512

AVX512 = frozenset({"avx2", "avx512f", "avx512bw", "avx512dq", "avx512vl"})


def test_avx512_is_asked_for_only_when_the_processor_has_it() -> None:
    env: dict[str, str] = {}
    assert prefer_avx512(env, AVX512) == "AVX512"
    assert env == {"CT2_FORCE_CPU_ISA": "AVX512"}

    env = {}
    assert prefer_avx512(env, frozenset({"avx2", "avx512f"})) == ""  # incomplete: engine decides
    assert env == {}


def test_a_choice_made_by_the_user_is_kept() -> None:
    env = {"CT2_FORCE_CPU_ISA": "AVX2"}
    assert prefer_avx512(env, AVX512) == "AVX2"
    assert env == {"CT2_FORCE_CPU_ISA": "AVX2"}


def test_cpu_flags_are_read_from_cpuinfo(tmp_path: Path) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nflags\t\t: fpu avx2 avx512f\n")
    assert cpu_flags(info) == frozenset({"fpu", "avx2", "avx512f"})
    assert cpu_flags(tmp_path / "missing") == frozenset()
