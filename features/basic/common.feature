# Basic AT commands every dialect answers alike: AT, ATE0/ATE1, AT+RST and
# `ready`, AT+CWMODE, AT+CWJAP and its Wi-Fi URCs.
# Sources: ESP-AT reference §3 (echo on by default, `ready` after AT+RST,
# AT+CWJAP prints WIFI CONNECTED and WIFI GOT IP before OK); W800 reference
# §2.1 (`ready` banner; WIFI CONNECTED / WIFI GOT IP are W800 active messages
# too) and the W800 spec's examples, which begin AT+CWMODE=1 and AT+CWJAP.
# W800 reference §2.3: W800's echo default and ATE0/ATE1 are unknown; the
# echo scenario follows ESP-AT (doc-derived for W800).
@basic
Feature: Basic AT commands common to every dialect

  Background:
    Given the device has been reset

  Scenario: AT answers OK
    When I send AT
    Then the device answers OK

  @doc_derived
  Scenario: echo can be turned off and on again
    When I send ATE0
    Then the device answers OK
    When I send AT
    Then the device answers OK
    When I send ATE1
    Then the device answers OK
    When I send AT
    Then the device answers OK

  Scenario: AT+RST answers OK and then prints ready
    When I send AT+RST
    Then the device answers OK
    And the device reports ready

  Scenario: station mode is set and queried
    When I send AT+CWMODE=1
    Then the device answers OK
    When I send AT+CWMODE?
    Then the device answers:
      """
      +CWMODE:1
      OK
      """

  Scenario: joining an access point reports the Wi-Fi URCs before OK
    Given I have sent AT+CWMODE=1
    When I send AT+CWJAP="atconform-ap","secret-pass"
    Then the device answers OK
    And the device reports WIFI CONNECTED
    And the device reports WIFI GOT IP
