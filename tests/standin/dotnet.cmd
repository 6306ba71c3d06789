@echo off
rem Windows wrapper of the gameops `dotnet` stand-in (tests/standin/dotnet is a Python script).
python "%~dp0dotnet" %*
