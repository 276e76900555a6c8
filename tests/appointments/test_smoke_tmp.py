def test_smoke(client, world):
    r = client.get("/book/kel-test")
    assert r.status_code == 200, r.text
    print(r.text[:3000])
    r = client.get(f"/book/kel-test/layanan/{world.services['A']}")
    assert r.status_code == 200, r.text
    print(r.text[:6000])
