"""Brushing-ring (刷单炒信) detection from orders and logistics.

``fraudar`` finds dense account x store blocks, ``signals`` scores orders on logistics and
identity evidence, ``rings`` combines both into explained rings, and ``synthetic`` plants rings
in generated data for tests and benchmarks.
"""
