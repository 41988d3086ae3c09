package io.lodestar.operators.preference;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks the personal data most often pasted into chats: e-mail addresses, phone numbers (7 or more
 * digits in groups separated by spaces, hyphens or an area code in parentheses, optionally
 * +country), IPv4 addresses and card-like digit runs (13-19 digits). Pattern-based, so a best
 * effort, not a guarantee: teams with stricter needs plug in their own {@link Redactor}.
 */
public final class PiiRedactor implements Redactor {

  private static final long serialVersionUID = 1L;

  private static final Pattern EMAIL =
      Pattern.compile("[\\w.%+-]+@[\\w-]+(?:\\.[\\w-]+)*\\.[A-Za-z]{2,}");
  private static final Pattern CARD = Pattern.compile("\\b(?:\\d[ -]?){12,18}\\d\\b");
  private static final Pattern IPV4 =
      Pattern.compile(
          "\\b(?:(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)\\b");
  // Separated groups only (a space, hyphen or parentheses), so plain numbers and decimals stay.
  private static final Pattern PHONE =
      Pattern.compile(
          "(?<![\\w.])\\+?(?:\\(\\d{1,4}\\) ?|\\d{1,4}[ -])(?:\\d{2,4}[ -]){1,3}\\d{2,4}(?![\\w.])");

  @Override
  public String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String s = EMAIL.matcher(text).replaceAll("[EMAIL]");
    s = CARD.matcher(s).replaceAll("[CARD]");
    s = IPV4.matcher(s).replaceAll("[IP]");
    return PHONE
        .matcher(s)
        .replaceAll(m -> digits(m.group()) >= 7 ? "[PHONE]" : Matcher.quoteReplacement(m.group()));
  }

  private static int digits(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      n += Character.isDigit(s.charAt(i)) ? 1 : 0;
    }
    return n;
  }
}
