import core_app

import skitai

if __name__ == "__main__":
    skitai.mount("/", core_app.app)
    skitai.run(port=5000, name="core-e2e")
