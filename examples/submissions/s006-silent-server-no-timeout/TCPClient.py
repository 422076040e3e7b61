import time
from socket import *

serverName = 'server'
serverPort = 12000

clientSocket = socket(AF_INET, SOCK_STREAM)
sentence = input('Input lowercase sentence:')

time1 = time.time()  # connection request
clientSocket.connect((serverName, serverPort))
clientSocket.send(sentence.encode())
modifiedSentence = clientSocket.recv(1024)
time2 = time.time()

print('From Server:', modifiedSentence.decode())
print('Connection request sent at', time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(time1)))
print('Reply received at', time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(time2)))
print('RTT:', (time2 - time1) * 1000, 'ms')
clientSocket.close()
