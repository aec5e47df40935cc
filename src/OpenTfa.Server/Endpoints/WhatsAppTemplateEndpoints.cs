using Microsoft.OpenApi;
using OpenTfa.Contracts;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Tenancy;
using OpenTfa.Delivery.Http.WhatsApp;
using OpenTfa.Server.Auth;
using OpenTfa.Server.Errors;
using OpenTfa.Server.OpenApi;

namespace OpenTfa.Server.Endpoints;

/// <summary>
/// Creates a whatsapp channel's authentication template on its WhatsApp Business Account, so that
/// operators need not build Meta's request by hand: copy-code, or one-tap autofill when the
/// channel names an Android app. Meta reviews it before messages can use it.
/// </summary>
internal static class WhatsAppTemplateEndpoints
{
    public static void MapWhatsAppTemplates(this IEndpointRouteBuilder app)
    {
        app.MapPost("/opentfa/v1/channels/{name}/whatsapp-template", CreateAsync).RequireScope(Scopes.Admin).WithTags("Operations")
            .Operation("createWhatsAppTemplate", "Create a WhatsApp channel's authentication template at Meta",
                "Sends the channel's template (TemplateName and TemplateLanguage unless given here) to Meta for review; only a key of the operator tenant.")
            .Query("name", JsonSchemaType.String, "The template's name at Meta, instead of the channel's TemplateName.")
            .Query("language", JsonSchemaType.String, "Meta's language code (en, pt_BR), instead of the channel's TemplateLanguage or en.")
            .Answers<WhatsAppTemplateResponse>();
    }

    private static async Task<IResult> CreateAsync(string name, HttpContext http, ChannelRouter router, CancellationToken ct)
    {
        if (!http.Caller().IsOperatorAdmin)
        {
            return Problems.Result(new TfaError(ErrorKind.Forbidden, "Only an opentfa:admin key of the operator tenant may create a channel's templates"));
        }

        if (CallbackEndpoints.Find<WhatsAppChannel>(router, name) is not { } channel)
        {
            return Problems.Result(new TfaError(ErrorKind.NotFound, $"No whatsapp channel named '{name}' is configured on this node"));
        }

        string? template = Given(http, "name");
        string? language = Given(http, "language");
        var errors = new ValidationErrors();
        if (template is not null && !WhatsAppChannelOptionsValidator.IsTemplateName(template))
        {
            errors.Add("name", "must be a Meta template name: lower-case letters, digits and underscores, at most 512");
        }

        if (language is not null && !WhatsAppLanguages.IsCode(language))
        {
            errors.Add("language", "must be a Meta language code such as en, en_US or pt_BR");
        }

        if (errors.Any)
        {
            return Problems.Result(TfaError.Validation(errors));
        }

        Result<WhatsAppTemplate> created = await channel.CreateTemplateAsync(template, language, ct);
        if (!created.IsSuccess)
        {
            return Problems.Result(created.Error);
        }

        WhatsAppTemplate t = created.Value;
        return TypedResults.Json(
            new WhatsAppTemplateResponse { Channel = channel.Name, Id = t.Id, Name = t.Name, Language = t.Language, Category = t.Category, OtpType = t.OtpType, Status = t.Status },
            OpenTfaJsonContext.Wire.WhatsAppTemplateResponse);
    }

    private static string? Given(HttpContext http, string parameter) =>
        http.Request.Query[parameter].ToString() is { Length: > 0 } value ? value : null;
}
