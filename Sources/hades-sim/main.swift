print("hades-sim: not yet")
