"""Temporal round trips: a bare activity and a bare update, ops/s.

Measured twice in the same run on one dev server: with Temporal's default
data converter (the floor of this stack) and with habilita's encrypting
payload codec; the ratio is the codec's cost. Later benchmarks divide by the
bare-activity rate.

    .venv/bin/python bench/roundtrip.py [--rounds 3]
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import os

from temporalio.converter import DataConverter
from temporal_baseline import bare_activity_rate, bare_update_rate, dev_server, median_rate, with_converter

from habilita.adapters.codec import data_converter


async def main(rounds: int) -> None:
    ours = data_converter(base64.urlsafe_b64encode(os.urandom(32)).decode())
    async with dev_server() as env:
        bare_client = with_converter(env.client, DataConverter.default)
        our_client = with_converter(env.client, ours)
        results = {"bare activity": [], "our activity": [], "bare update": [], "our update": []}
        for _ in range(rounds):
            results["bare activity"].append(await bare_activity_rate(bare_client))
            results["our activity"].append(await bare_activity_rate(our_client))
            results["bare update"].append(await bare_update_rate(bare_client))
            results["our update"].append(await bare_update_rate(our_client))
    medians = {name: median_rate(rates) for name, rates in results.items()}
    for name, value in medians.items():
        print(f"{name}: {value:.1f} ops/s (median of {rounds})")
    activity_ratio = medians["bare activity"] / medians["our activity"]
    update_ratio = medians["bare update"] / medians["our update"]
    print(f"roundtrip: activity {medians['our activity']:.1f} ops/s, update {medians['our update']:.1f} ops/s "
          f"(ratio {activity_ratio:.2f} / {update_ratio:.2f} vs bare Temporal)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="measurements per figure; the median is reported")
    asyncio.run(main(parser.parse_args().rounds))
