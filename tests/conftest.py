"""Run the longest tests first, so that with several pytest-xdist workers no long notebook starts last and runs alone."""
LONGEST_FIRST = ['90_cli', '12_lora', '08_generate', '13_downstream', '06_segmentator', '09_attention', '11_robust', '07_tinysd']

def pytest_collection_modifyitems(session, config, items):
    def rank(item):
        name = item.callspec.id if hasattr(item, 'callspec') else ''
        return LONGEST_FIRST.index(name) if item.originalname == 'test_notebook' and name in LONGEST_FIRST else len(LONGEST_FIRST)
    items.sort(key=rank)  # a stable sort: everything else keeps its order
