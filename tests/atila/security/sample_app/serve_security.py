import partner_app
import secure_app

import skitai

if __name__ == "__main__":
    with skitai.preference() as pref:
        pref.securekey = secure_app.SECRET
        pref.session_timeout = 1200
        pref.access_control_allow_origin = ["https://allowed.example"]
        pref.access_control_max_age = 3600
        skitai.mount("/sec", secure_app.app, pref)
    skitai.mount("/partner", partner_app.app)
    skitai.run(port=5000, name="security-e2e")
