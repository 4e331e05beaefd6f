#!/usr/bin/env bash
# Builds the runnable layout: artifacts/apart-core/{apart-core,apart,plugins/<Plugin>/}.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf artifacts/apart-core
dotnet publish Apart.Host.sln -c Release -nologo -clp:ErrorsOnly -p:TreatWarningsAsErrors=true
