from __future__ import annotations

import pytest

import tensorsight
from tensorsight.errors import ForwardError

from . import render_nets as nets


@pytest.fixture(scope="session")
def lenet_trace():
    return tensorsight.trace(nets.LeNet(), (1, 1, 32, 32))


@pytest.fixture(scope="session")
def cats_trace():
    return tensorsight.trace(nets.CatsDogs(), (1, 3, 150, 150))


@pytest.fixture(scope="session")
def resnet50_trace():
    return tensorsight.trace(nets.resnet50(), (1, 3, 224, 224))


@pytest.fixture(scope="session")
def tiny_resnet_trace():
    return tensorsight.trace(nets.tiny_resnet(), (1, 3, 64, 64))


@pytest.fixture(scope="session")
def unet_trace():
    return tensorsight.trace(nets.UNet(), (1, 1, 64, 64))


@pytest.fixture(scope="session")
def broken_trace():
    with pytest.raises(ForwardError) as info:
        tensorsight.trace(nets.BrokenLeNet(), (1, 1, 32, 32))
    return info.value.trace
