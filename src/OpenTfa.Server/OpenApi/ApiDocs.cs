using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OpenTfa.Contracts;
using Scalar.AspNetCore;

namespace OpenTfa.Server.OpenApi;

/// <summary>
/// The OpenAPI 3.1 document of both surfaces at <c>/openapi/v1.json</c>, generated from the
/// endpoints themselves, and the interactive reference at <c>/docs</c> (its script ships inside
/// the server; nothing is fetched from the internet). Both are on unless
/// <c>OpenTfa:ApiDocs:Enabled</c> is false.
/// </summary>
internal static class ApiDocs
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string ReferencePath = "/docs";

    public static bool Enabled(IConfiguration configuration) => configuration.GetValue<bool?>("OpenTfa:ApiDocs:Enabled") ?? true;

    public static IServiceCollection AddOpenTfaApiDocs(this IServiceCollection services) =>
        services.AddOpenApi("v1", options =>
        {
            options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            options.CreateSchemaReferenceId = SchemaNames.Of;
            options.AddSchemaTransformer(WireSchemas.DescribeAsync);
            options.AddOperationTransformer(Operations.DescribeAsync);
            options.AddDocumentTransformer(Document.DescribeAsync);
        });

    public static void MapOpenTfaApiDocs(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference(ReferencePath, o => o
            .WithTitle("OpenTfa API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .DisableTelemetry()
            .DisableDefaultFonts()
            .DisableAgent()
            .DisableMcp()
            .AddPreferredSecuritySchemes(["App"]))
            .AllowAnonymous();
    }

    /// <summary>The document's name for a wire type: Infobip's schema names on <c>/2fa/2</c>, the class name otherwise.</summary>
    private static class SchemaNames
    {
        private static readonly Dictionary<Type, string> Infobip = new()
        {
            [typeof(ApplicationRequest)] = "TfaApplicationRequest",
            [typeof(ApplicationResponse)] = "TfaApplicationResponse",
            [typeof(ApplicationConfiguration)] = "TfaApplicationConfiguration",
            [typeof(MessageTemplateRequest)] = "TfaCreateMessageRequest",
            [typeof(EmailTemplateRequest)] = "TfaCreateEmailMessageRequest",
            [typeof(MessageTemplateResponse)] = "TfaMessage",
            [typeof(RegionalOptions)] = "TfaRegionalOptions",
            [typeof(IndiaDltOptions)] = "TfaIndiaDltOptions",
            [typeof(StartAuthenticationRequest)] = "TfaStartAuthenticationRequest",
            [typeof(StartAuthenticationResponse)] = "TfaStartAuthenticationResponse",
            [typeof(StartEmailAuthenticationResponse)] = "TfaStartEmailAuthenticationResponse",
            [typeof(EmailStatus)] = "TfaEmailStatus",
            [typeof(ResendPinRequest)] = "TfaResendPinRequest",
            [typeof(VerifyPinRequest)] = "TfaVerifyPinRequest",
            [typeof(VerifyPinResponse)] = "TfaVerifyPinResponse",
            [typeof(VerificationResponse)] = "TfaVerificationResponse",
            [typeof(Verification)] = "TfaVerification",
            [typeof(ApiErrorResponse)] = "ApiException",
            [typeof(RequestError)] = "ApiRequestError",
            [typeof(ServiceException)] = "ApiRequestErrorDetails",
            [typeof(System.Text.Json.JsonElement)] = "WebhookEventBody",
        };

        public static string? Of(JsonTypeInfo type) =>
            Infobip.TryGetValue(type.Type, out string? name) ? name : OpenApiOptions.CreateDefaultSchemaReferenceId(type);
    }
}
