def scaled(x, y=2.0):
    return x * x * y
