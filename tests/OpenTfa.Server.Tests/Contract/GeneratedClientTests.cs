using System.Text.Json.Nodes;

namespace OpenTfa.Server.Tests.Contract;

/// <summary>
/// A client generated from the server's OpenAPI document by a mainstream generator
/// (openapi-typescript, called through openapi-fetch) runs the seed flow against the real server:
/// the generated types must compile with the flow's code, and every call must do what it says.
/// </summary>
public sealed class GeneratedClientTests
{
    [Fact]
    public async Task TypeScriptClient_GeneratedFromTheDocument_RunsTheSeedFlow()
    {
        await using TestServer server = await TestServer.StartAsync();
        string document = new Uri(server.BaseAddress, "/openapi/v1.json").ToString();
        Directory.CreateDirectory(Path.Combine(OpenApiTools.Folder, "generated"));

        await OpenApiTools.RunAsync("openapi-typescript", document, "-o", Path.Combine("generated", "opentfa.d.ts"));
        await OpenApiTools.RunAsync("tsc", "-p", ".");
        ProgramResult flow = await OpenApiTools.NodeAsync(Path.Combine("build", "seed-flow.js"),
            server.BaseAddress.ToString().TrimEnd('/'), TestServer.BootstrapKey, server.Deliveries.MirrorPath);

        JsonNode result = JsonNode.Parse(flow.Stdout.Trim().Split('\n')[^1])!;
        Assert.Equal("MESSAGE_SENT", result["smsStatus"]!.GetValue<string>());
        Assert.False(result["wrong"]!["verified"]!.GetValue<bool>());
        Assert.Equal("WRONG_PIN", result["wrong"]!["pinError"]!.GetValue<string>());
        Assert.Equal(4, result["wrong"]!["attemptsRemaining"]!.GetValue<int>());
        Assert.True(result["verified"]!.GetValue<bool>());
        JsonNode verification = Assert.Single(result["verifications"]!.AsArray())!;
        Assert.Equal("41793026727", verification["msisdn"]!.GetValue<string>());
        Assert.True(verification["verified"]!.GetValue<bool>());
        Assert.Equal(404, result["unknownApplication"]!["status"]!.GetValue<int>());
        Assert.Equal("NOT_FOUND", result["unknownApplication"]!["messageId"]!.GetValue<string>());
    }
}
