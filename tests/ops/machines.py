"""A second "machine" for the scale-out tests: its own process and app, the same database."""


def failed_sign_ins(database_url, email, attempts, results):
    from app import create_app

    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=database_url)
    client = app.test_client()
    for _ in range(attempts):
        response = client.post("/api/v1/auth/token", json={"email": email, "password": "wrong-password"})
        results.put(response.status_code)
