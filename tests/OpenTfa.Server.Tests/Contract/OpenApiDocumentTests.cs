using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using OpenTfa.Server.Tests.Infrastructure;

namespace OpenTfa.Server.Tests.Contract;

/// <summary>
/// The OpenAPI document the server generates: committed as docs/openapi.json and kept equal to
/// it, clean under Redocly's recommended rules, describing every endpoint, with Infobip's names on
/// the Infobip surface; and the reference at /docs, which opens without the internet.
/// </summary>
public sealed partial class OpenApiDocumentTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly string[] InfobipOperations =
    [
        "getTfaApplications", "createTfaApplication", "getTfaApplication", "updateTfaApplication",
        "getTfaMessageTemplates", "createTfaMessageTemplate", "getTfaMessageTemplate", "updateTfaMessageTemplate",
        "createTfaEmailMessageTemplate", "updateTfaEmailMessageTemplate",
        "sendTfaPinCodeOverSms", "resendTfaPinCodeOverSms", "sendTfaPinCodeOverVoice", "resendTfaPinCodeOverVoice",
        "send2faPinCodeOverEmail", "resend2faPinCodeOverEmail", "verifyTfaPhoneNumber", "getTfaVerificationStatus",
    ];

    private readonly TestServer _server = fixture.Server;

    /// <summary>The document as the server generates it now (read without checking answers against the committed one).</summary>
    private async Task<JsonObject> GeneratedAsync()
    {
        using var plain = new HttpClient { BaseAddress = _server.BaseAddress };
        return JsonNode.Parse(await plain.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)))!.AsObject();
    }

    [Fact]
    public async Task CommittedDocument_IsWhatTheServerGenerates()
    {
        JsonObject generated = await GeneratedAsync();
        string text = generated.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n";
        if (Environment.GetEnvironmentVariable("OPENTFA_WRITE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(OpenApiContract.Path, text);
        }

        JsonNode committed = JsonNode.Parse(await File.ReadAllTextAsync(OpenApiContract.Path))!;
        Assert.True(JsonNode.DeepEquals(generated, committed),
            "docs/openapi.json differs from the document the server generates; refresh it with: OPENTFA_WRITE_OPENAPI=1 dotnet test tests/OpenTfa.Server.Tests --filter CommittedDocument_IsWhatTheServerGenerates");
    }

    [Fact]
    public async Task Document_LintsCleanWithRedocly()
    {
        ProgramResult lint = await OpenApiTools.RunAsync("redocly", "lint", OpenApiContract.Path, "--config", "redocly.yaml", "--format", "stylish");
        Assert.DoesNotMatch(ProblemLine(), lint.Output);
        Assert.Contains("Your API description is valid", lint.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryEndpoint_IsAnOperationWithAnIdASummaryAndItsAnswers()
    {
        JsonObject paths = (await GeneratedAsync())["paths"]!.AsObject();
        var described = new List<string>();
        foreach (RouteEndpoint endpoint in _server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            string template = "/" + RouteConstraint().Replace(endpoint.RoutePattern.RawText!.Trim('/'), "}");
            template = template.Length > 1 ? template.TrimEnd('/') : template;
            // The document, its reference and the web console are pages for people, not API operations;
            // Twilio's surface follows Twilio's own published description (docs/api.md).
            if (template.StartsWith("/openapi", StringComparison.Ordinal) || template.StartsWith("/docs", StringComparison.Ordinal) || template.StartsWith("/console", StringComparison.Ordinal)
                || template.StartsWith("/v2/", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (string method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])
            {
                JsonNode? operation = paths[template]?[method.ToLowerInvariant()];
                Assert.True(operation is not null, $"{method} {template} is missing from the document");
                Assert.False(string.IsNullOrWhiteSpace(operation["operationId"]?.GetValue<string>()), $"{method} {template} has no operationId");
                Assert.False(string.IsNullOrWhiteSpace(operation["summary"]?.GetValue<string>()), $"{method} {template} has no summary");
                Assert.Contains(operation["responses"]!.AsObject(), r => r.Key.StartsWith('2'));
                described.Add($"{method} {template}");
            }
        }

        Assert.True(described.Count >= 55, $"only {described.Count} operations were found");
    }

    [Fact]
    public async Task InfobipSurface_UsesInfobipsOperationAndSchemaNames_AndItsEnvelope()
    {
        JsonObject document = await GeneratedAsync();
        var ids = document["paths"]!.AsObject()
            .Where(p => p.Key.StartsWith("/2fa/2/", StringComparison.Ordinal))
            .SelectMany(p => p.Value!.AsObject().Select(o => o.Value!["operationId"]!.GetValue<string>()))
            .ToHashSet(StringComparer.Ordinal);
        Assert.Equal(InfobipOperations.Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));

        JsonObject schemas = document["components"]!["schemas"]!.AsObject();
        Assert.All(["TfaApplicationRequest", "TfaApplicationResponse", "TfaStartAuthenticationRequest", "TfaVerifyPinResponse", "ApiException"], name => Assert.True(schemas.ContainsKey(name), name));
        JsonNode verify = document["paths"]!["/2fa/2/pin/{pinId}/verify"]!["post"]!;
        Assert.Equal("#/components/schemas/ApiException", verify["responses"]!["404"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Equal("#/components/headers/Retry-After", verify["responses"]!["429"]!["headers"]!["Retry-After"]!["$ref"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/ProblemDetails",
            document["paths"]!["/opentfa/v1/keys"]!["get"]!["responses"]!["403"]!["content"]!["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Equal(["2fa:pin:send"], verify["security"]![0]!["App"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Contains(document["paths"]!["/2fa/2/pin"]!["post"]!["parameters"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "Idempotency-Key");
        Assert.DoesNotContain("\"null\"", document.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reference_OpensWithoutTheInternet()
    {
        using HttpClient anonymous = _server.Client(key: null);
        HttpResponseMessage page = await anonymous.GetAsync(new Uri("/docs/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        string html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotMatch(ExternalUrl(), html);

        string[] scripts = [.. ScriptSource().Matches(html).Select(m => m.Groups[1].Value)];
        Assert.NotEmpty(scripts);
        foreach (string script in scripts)
        {
            HttpResponseMessage asset = await anonymous.GetAsync(new Uri(new Uri(_server.BaseAddress, "/docs/"), script));
            Assert.True(asset.StatusCode == HttpStatusCode.OK, $"{script}: {(int)asset.StatusCode}");
            Assert.True((await asset.Content.ReadAsByteArrayAsync()).Length > 1000, $"{script} is empty");
        }
    }

    [Fact]
    public async Task ApiDocsOff_NeitherTheDocumentNorTheReferenceIsServed()
    {
        await using TestServer server = await TestServer.StartAsync(new Dictionary<string, string?> { ["OpenTfa:ApiDocs:Enabled"] = "false" });
        using HttpClient anonymous = server.Client(key: null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/docs/", UriKind.Relative))).StatusCode);
        using HttpClient admin = server.Client();
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative))).StatusCode);
    }

    [GeneratedRegex(@":[^}]+}")]
    private static partial Regex RouteConstraint();

    [GeneratedRegex(@"^\s*\d+:\d+\s+(warning|error)\b", RegexOptions.Multiline)]
    private static partial Regex ProblemLine();

    [GeneratedRegex(@"(src|href)=""https?://")]
    private static partial Regex ExternalUrl();

    [GeneratedRegex(@"<script[^>]*\bsrc=""([^""]+)""")]
    private static partial Regex ScriptSource();
}
