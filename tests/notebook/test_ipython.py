"""%load_ext tensorsight: a shape error in a cell gets its diagnosis under the traceback."""
import pytest

IPython = pytest.importorskip("IPython")


def test_cell_shape_error_is_explained(capsys):
    from IPython.testing.globalipapp import start_ipython
    ip = start_ipython()
    ip.run_line_magic("load_ext", "tensorsight")
    ip.run_cell("import torch, torch.nn as nn\nnet = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Flatten(), nn.Linear(100, 4))")
    ip.run_cell("net(torch.randn(2, 3, 10, 10))")
    out = capsys.readouterr().out
    assert "mat1 and mat2 shapes cannot be multiplied" in out
    assert "in_features must be 512" in out          # 8·8·8 = 512 per sample
    assert "nn.Linear(8 * 8 * 8, 4)" in out or "512" in out
    # a cell without error prints no diagnosis
    ip.run_cell("y = net[0](torch.randn(1, 3, 10, 10)).shape")
    assert "tensorsight" not in capsys.readouterr().out
