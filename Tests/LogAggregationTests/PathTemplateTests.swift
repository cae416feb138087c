import Testing
@testable import LogAggregation

@Suite struct PathTemplateTests {
    @Test(arguments: [
        ("/api/users/42", "/api/users/:id"),
        ("/api/users/42/orders/7", "/api/users/:id/orders/:id"),
        ("/api/orders/3f2b8c1e-9a4d-4e2f-8b7c-1d2e3f4a5b6c/items", "/api/orders/:id/items"),
        ("/objects/5f3e2a1b9c8d7e6f5a4b3c2d", "/objects/:id"),
        ("/deadbeef", "/deadbeef"),            // hex letters only: a word, not an id
        ("/abc1234", "/abc1234"),              // hex but shorter than 8
        ("/static/app.3f9a2b1c.js", "/static/app.3f9a2b1c.js"),  // only whole segments
        ("/v1/users", "/v1/users"),
        ("/", "/"),
        ("//x//1", "//x//:id"),
        ("/search", "/search"),
        ("/users/123/", "/users/:id/"),
        ("/3F2B8C1E-9A4D-4E2F-8B7C-1D2E3F4A5B6C", "/:id"),
        ("/3f2b8c1e-9a4d-4e2f-8b7c-1d2e3f4a5b6", "/3f2b8c1e-9a4d-4e2f-8b7c-1d2e3f4a5b6"),
        // Prefixed numbers (letters, then dash-and-digits groups) are ids too.
        ("/products/SKU-123", "/products/:id"),
        ("/products/sku-98765/reviews", "/products/:id/reviews"),
        ("/orders/ORD-2024-0001", "/orders/:id"),
        ("/tickets/JIRA-7", "/tickets/:id"),
        ("/api-v2/users", "/api-v2/users"),     // a word after the dash: a name, not an id
        ("/item-42-large", "/item-42-large"),
        ("/SKU-", "/SKU-"),
        ("/-123", "/-123"),
        ("/SKU--123", "/SKU--123"),
    ])
    func templates(_ path: String, _ expected: String) {
        #expect(PathTemplate.template(path) == expected)
    }

    @Test func queryStringIsDropped() {
        #expect(PathTemplate.template("/api/users/42?expand=1&x=2") == "/api/users/:id")
    }

    @Test func longPathsAreCut() {
        let long = "/" + String(repeating: "a", count: 2000)
        #expect(PathTemplate.template(long).utf8.count == PathTemplate.maxLength)
    }
}
