using System.Text.RegularExpressions;

namespace OpenTfa.Core.Twilio;

/// <summary>
/// The text of a verification's SMS or call, in the languages OpenTfa ships; a locale Twilio
/// accepts but OpenTfa has no text for gets English (a service that needs another language
/// edits its text template). The text keeps <c>{{friendlyName}}</c> and <c>{{pin}}</c> as
/// placeholders, so the values are checked like any placeholder.
/// </summary>
public static partial class VerificationTexts
{
    public const string DefaultLocale = "en";

    private static readonly Dictionary<string, (string Code, string Warning, string Transaction)> Texts = new(StringComparer.Ordinal)
    {
        ["en"] = ("Your {{friendlyName}} verification code is: {{pin}}", "Don't share this code with anyone; our employees will never ask for the code.", "Amount: {{amount}}. Payee: {{payee}}."),
        ["de"] = ("Ihr {{friendlyName}} Verifizierungscode lautet: {{pin}}", "Geben Sie diesen Code an niemanden weiter; unsere Mitarbeiter werden nie danach fragen.", "Betrag: {{amount}}. Empfänger: {{payee}}."),
        ["es"] = ("Tu código de verificación de {{friendlyName}} es: {{pin}}", "No compartas este código con nadie; nuestros empleados nunca te lo pedirán.", "Importe: {{amount}}. Beneficiario: {{payee}}."),
        ["fr"] = ("Votre code de vérification {{friendlyName}} est : {{pin}}", "Ne partagez ce code avec personne ; nos employés ne vous le demanderont jamais.", "Montant : {{amount}}. Bénéficiaire : {{payee}}."),
        ["it"] = ("Il tuo codice di verifica {{friendlyName}} è: {{pin}}", "Non condividere questo codice con nessuno; i nostri dipendenti non te lo chiederanno mai.", "Importo: {{amount}}. Beneficiario: {{payee}}."),
        ["pt"] = ("O seu código de verificação {{friendlyName}} é: {{pin}}", "Não partilhe este código com ninguém; os nossos funcionários nunca o vão pedir.", "Valor: {{amount}}. Beneficiário: {{payee}}."),
        ["nl"] = ("Je {{friendlyName}} verificatiecode is: {{pin}}", "Deel deze code met niemand; onze medewerkers zullen er nooit om vragen.", "Bedrag: {{amount}}. Begunstigde: {{payee}}."),
    };

    /// <summary>Whether <paramref name="locale"/> has the form Twilio accepts (<c>en</c>, <c>en-GB</c>, <c>pt-BR</c>, <c>zh-HK</c>).</summary>
    public static bool IsLocale(string locale) => LocalePattern().IsMatch(locale);

    /// <summary>The message template for a verification: the code sentence, the transaction for PSD2, the warning, and the Android app hash last.</summary>
    public static string Template(string? locale, bool transaction, bool warning, bool appHash)
    {
        (string code, string warn, string amounts) = Texts.GetValueOrDefault(Language(locale)) is { Code: not null } found ? found : Texts[DefaultLocale];
        string text = code;
        if (transaction)
        {
            text += ". " + amounts;
        }

        if (warning)
        {
            text += "\n" + warn;
        }

        // Android's SMS Retriever reads the app hash from the message's last line.
        return appHash ? text + "\n\n{{appHash}}" : text;
    }

    /// <summary>The language part of a locale, lower case (<c>pt-BR</c> → <c>pt</c>); English when none is given.</summary>
    public static string Language(string? locale) => string.IsNullOrEmpty(locale) ? DefaultLocale : locale.Split('-', '_')[0].ToLowerInvariant();

    [GeneratedRegex("^[a-z]{2,3}([-_][A-Za-z]{2,4})?$")]
    private static partial Regex LocalePattern();
}
