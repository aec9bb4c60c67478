using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Dexter.Sessions.AspNetCore.Tests;

public sealed class OpenApiTests
{
    [Test]
    public async Task OpenApiDocument_EndpointsMapped_DescribesTheFourOperations()
    {
        await using var app = await TestApp.StartAsync(
            services: s => s.AddOpenApi(),
            map: a =>
            {
                a.MapDexterSessions("/agent");
                a.MapOpenApi();
            });

        using var response = await app.Client.GetAsync("/openapi/v1.json");
        var document = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        var paths = document["paths"]!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That((string)paths["/agent/session"]!["post"]!["operationId"]!, Is.EqualTo("DexterSessions_CreateSession"));
            Assert.That((string)paths["/agent/query"]!["post"]!["operationId"]!, Is.EqualTo("DexterSessions_Query"));
            Assert.That((string)paths["/agent/history"]!["get"]!["operationId"]!, Is.EqualTo("DexterSessions_GetHistory"));
            Assert.That((string)paths["/agent/history"]!["delete"]!["operationId"]!, Is.EqualTo("DexterSessions_ClearHistory"));
            Assert.That(paths["/agent/query"]!["post"]!["responses"]!.AsObject().Select(r => r.Key),
                Is.SupersetOf(new[] { "200", "400", "401", "404", "413", "415", "429", "503" }));
            Assert.That(paths["/agent/query"]!["post"]!["requestBody"]!["content"]!.AsObject().ContainsKey("application/json"), Is.True);
            Assert.That((string?)paths["/agent/session"]!["post"]!["summary"], Is.EqualTo("Creates a session."));
        });
    }
}
