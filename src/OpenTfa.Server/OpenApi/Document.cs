using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using OpenTfa.Server.Hosting;

namespace OpenTfa.Server.OpenApi;

/// <summary>
/// The document as a whole: what it is, the two ways to present a key, the shared error
/// shapes and headers, and one rule for every schema — OpenTfa leaves a field out rather than
/// send <c>null</c>, so no schema allows <c>null</c>.
/// </summary>
internal static class Document
{
    public const string InfobipError = "ApiException";
    public const string Problem = "ProblemDetails";
    public const string RetryAfter = "Retry-After";

    private static readonly (string Name, string Description)[] Tags =
    [
        ("2FA applications", "Infobip's 2FA applications: PIN policy and rate limits."),
        ("2FA message templates", "Infobip's message templates: SMS, voice and e-mail texts with the PIN."),
        ("2FA PIN flow", "Infobip's PIN flow: send, resend, verify, verification status."),
        ("Tenants", "Tenants and the senders they may use (keys of the operator tenant)."),
        ("API keys", "API keys and their scopes."),
        ("E-mail bodies", "Subjects, texts and HTML of e-mail PINs."),
        ("Messages", "Delivery states of the messages that carried PINs."),
        ("Protection", "Abuse protection: destination rules, caps, the pumping guard, NIST mode, test numbers."),
        ("Webhooks", "Signed event notifications, their deliveries and attempts."),
        ("Audit", "Who changed what."),
        ("Analytics", "Conversion and delivery figures; a destination's history for support."),
        ("Operations", "Health, version and delivery channels."),
        ("Provider callbacks", "Called by SMS and voice providers, not by applications: delivery reports and voice call steps."),
    ];

    public static Task DescribeAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "OpenTfa",
            Version = Hosting.BuildInfo.Version,
            Description = """
                A self-hosted one-time-PIN service. `/2fa/2/*` is Infobip's 2FA API, so an Infobip SDK works by
                changing only its base URL; `/opentfa/v1/*` is OpenTfa's own API (keys, tenants, e-mail bodies,
                channels, messages, protection, webhooks, audit, analytics, history).

                Every request carries an API key in the `Authorization` header: `App <key>` (as Infobip's SDKs
                send it) or `Bearer <key>`. Errors on `/2fa/2/*` use Infobip's envelope
                (`requestError.serviceException`); on `/opentfa/v1/*` they are RFC 9457 problem details.
                Times on `/opentfa/v1/*` are UNIX milliseconds.
                """,
            License = new OpenApiLicense { Name = "Apache-2.0", Identifier = "Apache-2.0" },
        };

        // The generator names the server that was asked; the document names the default instead,
        // so that it reads the same wherever it is generated.
        document.Servers = [new OpenApiServer { Url = "http://127.0.0.1:5080", Description = "OpenTfa with its default settings on this machine" }];
        document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[Operations.AppScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = "Authorization",
            Description = "The API key with Infobip's prefix: `Authorization: App <key>`. Scopes: `2fa:manage`, `2fa:pin:send`, `opentfa:admin`, `opentfa:pii`, `opentfa:metrics`.",
        };
        document.Components.SecuritySchemes[Operations.BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The same API key as a bearer token: `Authorization: Bearer <key>`.",
        };
        document.Components.Headers ??= new Dictionary<string, IOpenApiHeader>();
        document.Components.Headers[RetryAfter] = new OpenApiHeader
        {
            Description = "Seconds to wait before trying again.",
            Required = true,
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^[0-9]+$" },
        };
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[InfobipError] = InfobipErrorSchema();
        document.Components.Schemas[Problem] = ProblemSchema();

        DescribeMetrics(document, context.ApplicationServices.GetRequiredService<IOptions<TelemetryOptions>>().Value);
        foreach (KeyValuePair<string, IOpenApiSchema> schema in document.Components.Schemas.ToList())
        {
            document.Components.Schemas[schema.Key] = WithoutNull(schema.Value);
        }

        foreach (IOpenApiPathItem path in document.Paths.Values)
        {
            foreach (OpenApiOperation operation in path.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>())
            {
                foreach (IOpenApiResponse response in operation.Responses?.Values ?? Enumerable.Empty<IOpenApiResponse>())
                {
                    foreach (OpenApiMediaType media in response.Content?.Values ?? [])
                    {
                        media.Schema = media.Schema is null ? null : WithoutNull(media.Schema);
                    }
                }

                foreach (OpenApiMediaType media in operation.RequestBody?.Content?.Values ?? [])
                {
                    media.Schema = media.Schema is null ? null : WithoutNull(media.Schema);
                }
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// The Prometheus endpoint, which is middleware rather than a routed endpoint and so unknown to
    /// the generator. A key that may not read metrics falls through to routing: 401 without a valid
    /// key, 404 with one.
    /// </summary>
    private static void DescribeMetrics(OpenApiDocument document, TelemetryOptions telemetry)
    {
        if (!telemetry.MetricsEnabled)
        {
            return;
        }

        var operation = new OpenApiOperation
        {
            OperationId = "getMetrics",
            Summary = "Prometheus metrics",
            Description = "The service's metrics in the Prometheus text format. Only a key of the operator tenant with `opentfa:metrics` or `opentfa:admin`; others get 404.",
            Tags = new HashSet<OpenApiTagReference> { new("Operations", document) },
            Security =
            [
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Operations.AppScheme, document)] = ["opentfa:metrics"] },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Operations.BearerScheme, document)] = ["opentfa:metrics"] },
            ],
            Responses = new OpenApiResponses
            {
                ["200"] = new OpenApiResponse
                {
                    Description = "The metrics.",
                    Content = new Dictionary<string, OpenApiMediaType> { ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } } },
                },
                ["401"] = ProblemAnswer(document, "No API key, or a key that is unknown, revoked or expired."),
                ["404"] = new OpenApiResponse { Description = "The key may not read metrics, or the client's address is not allowed to scrape (no body)." },
            },
        };
        document.Paths[telemetry.MetricsPath] = new OpenApiPathItem { Operations = new Dictionary<HttpMethod, OpenApiOperation> { [HttpMethod.Get] = operation } };
    }

    private static OpenApiResponse ProblemAnswer(OpenApiDocument document, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(Problem, document) } },
    };

    /// <summary>The schema without <c>null</c>: removed from its types, and a <c>oneOf</c> of null and one schema becomes that schema.</summary>
    private static IOpenApiSchema WithoutNull(IOpenApiSchema schema)
    {
        if (schema is not OpenApiSchema s)
        {
            return schema;
        }

        if (s.OneOf is { Count: 2 } one && one.Count(IsNullOnly) == 1)
        {
            return WithoutNull(one.Single(o => !IsNullOnly(o)));
        }

        if (s.Type is { } type && type != JsonSchemaType.Null)
        {
            s.Type = type & ~JsonSchemaType.Null;
        }

        if (s.Properties is { } properties)
        {
            foreach (string name in properties.Keys.ToList())
            {
                properties[name] = WithoutNull(properties[name]);
            }
        }

        s.Items = s.Items is null ? null : WithoutNull(s.Items);
        s.AdditionalProperties = s.AdditionalProperties is null ? null : WithoutNull(s.AdditionalProperties);
        return s;
    }

    private static bool IsNullOnly(IOpenApiSchema schema) => schema is OpenApiSchema { Type: JsonSchemaType.Null };

    private static OpenApiSchema String(string description) => new() { Type = JsonSchemaType.String, Description = description };

    private static OpenApiSchema FieldErrors() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "Messages per field, keyed by the field's dotted path (e.g. `configuration.pinAttempts`).",
        AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
    };

    private static OpenApiSchema InfobipErrorSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "Infobip's error envelope.",
        Required = new HashSet<string> { "requestError" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["requestError"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Required = new HashSet<string> { "serviceException" },
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["serviceException"] = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Required = new HashSet<string> { "messageId", "text" },
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            ["messageId"] = new OpenApiSchema
                            {
                                Type = JsonSchemaType.String,
                                Enum = ["BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "TOO_MANY_REQUESTS", "GENERAL_ERROR"],
                                Description = "The error's identifier.",
                            },
                            ["text"] = String("What went wrong, in words."),
                            ["validationErrors"] = FieldErrors(),
                        },
                    },
                },
            },
        },
        Examples = [JsonNode.Parse("""{"requestError":{"serviceException":{"messageId":"BAD_REQUEST","text":"Bad request: to is required","validationErrors":{"to":["is required"]}}}}""")!],
    };

    private static OpenApiSchema ProblemSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "An RFC 9457 problem details object.",
        Required = new HashSet<string> { "status", "title" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = String("A URI naming the kind of problem."),
            ["title"] = String("The kind of problem, in words."),
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
            ["detail"] = String("This occurrence of the problem, in words."),
            ["instance"] = String("The request the problem is about."),
            ["traceId"] = String("The request's trace id."),
            ["errors"] = FieldErrors(),
        },
        AdditionalProperties = new OpenApiSchema(),
    };
}
